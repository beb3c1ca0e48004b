// counter is the program the utrace samples trace: it calls main.doWork about 1000 times a
// second, and each call adds one to the global main.counter.
//
//	go build -o /tmp/counter samples/go/counter/main.go && /tmp/counter &
//	utrace -e 'uprobe:/tmp/counter:"main.doWork" { @ = *uaddr("main.counter"); }'
//
// Go builds non-PIE executables by default on linux/amd64, so uaddr("main.counter") is the
// variable's run-time address. It prints its pid to stderr on start and nothing else.
package main

import (
	"fmt"
	"os"
	"time"
)

// counter is read by the tracer with *uaddr("main.counter").
var counter int64

// sink keeps the work in doWork from being optimized away.
var sink uint64

// doWork is the uprobe target; noinline keeps it a real function with its own symbol.
//
//go:noinline
func doWork() {
	counter++
	h := uint64(counter)
	for i := 0; i < 16; i++ {
		h ^= h << 13
		h ^= h >> 7
		h ^= h << 17
	}
	sink += h
}

func main() {
	fmt.Fprintf(os.Stderr, "sample counter running as pid %d\n", os.Getpid())
	ticker := time.NewTicker(time.Millisecond)
	defer ticker.Stop()
	for range ticker.C {
		doWork()
	}
}
