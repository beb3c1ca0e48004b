// gofuncs is the Go tracee of the runtime tests: functions that break naive tracers, each
// counting its own calls, which it prints at exit.
//
//	gofuncs ROUNDS [DELAY_MS]
//
// waits DELAY_MS (default 300) so a tracer can attach, then per round calls add(i, 40), grow(),
// whose recursion makes the goroutine's stack grow (its prologue calls morestack, which starts
// the function over), report() with the calling goroutine's id, and nap() from several
// goroutines at once, which sleep and may wake on another thread; then, for values read by name,
// (*server).handle with the path "/api/ROUND" and the round, mix(ROUND, 0.5, ROUND is even,
// a slice of ROUND%4 ints ROUND*100, ROUND*100+1, ...), whose results are ROUND*10+ROUND%4,
// -ROUND and "zero", "one" or "two" by ROUND%3, and place(point{ROUND, that word, 0.25}), which
// fails for odd rounds. At exit it prints "add N grow N nap N report N total N", the sum of
// add's results, and "handle N mix N hits N".
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var addCalls, growCalls, napCalls, reportCalls, totalCalls int64
var sum int64
var sink float64
var handleCalls, mixCalls int64

// server is a struct that a method's receiver points to, for args.s.hits and args.s.name.
type server struct {
	name string
	hits int64
	port int32
}

//go:noinline
func (s *server) handle(path string, n int) int64 {
	atomic.AddInt64(&handleCalls, 1)
	s.hits++
	return s.hits + int64(len(path))*0
}

var labels = []string{"zero", "one", "two"}

// point is passed by value: Go's register ABI gives each of its fields registers of its own.
type point struct {
	x     int
	label string
	ratio float64
}

// place fails for odd x: its error result is an interface, nil or not.
//
//go:noinline
func place(p point) (int, error) {
	if p.x%2 == 1 {
		return 0, fmt.Errorf("odd %d", p.x)
	}
	return p.x / 2, nil
}

// mix takes a float, which probes cannot read, among values they can, and returns three results.
//
//go:noinline
func mix(a int, f float64, even bool, xs []int) (int64, int32, string) {
	atomic.AddInt64(&mixCalls, 1)
	sink += f
	if even {
		sink++
	}
	return int64(a*10 + len(xs)), int32(-a), labels[a%3]
}

//go:noinline
func add(a, b int) int {
	atomic.AddInt64(&addCalls, 1)
	return a + b
}

// grow recurses with a big frame: a new goroutine's small stack must grow on the way down.
//
//go:noinline
func grow(depth int) int {
	atomic.AddInt64(&growCalls, 1)
	var pad [512]byte
	pad[depth%512] = byte(depth)
	if depth == 0 {
		return int(pad[0])
	}
	return grow(depth-1) + int(pad[depth%512])
}

//go:noinline
func nap(d time.Duration) {
	atomic.AddInt64(&napCalls, 1)
	time.Sleep(d)
}

// spin never returns: it has no RET instruction.
//
//go:noinline
func spin() {
	for {
		atomic.AddInt64(&sum, 1)
	}
}

// total is generic: one function per shape of T (main.total[go.shape.int_0], ...).
//
//go:noinline
func total[T int | float64](xs ...T) T {
	atomic.AddInt64(&totalCalls, 1)
	var t T
	for _, x := range xs {
		t += x
	}
	return t
}

// myGoid is the running goroutine's id as the runtime prints it in a stack trace.
func myGoid() int {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	fields := strings.Fields(string(buf)) // "goroutine 18 [running]:"
	id, _ := strconv.Atoi(fields[1])
	return id
}

// report is called with the id of the goroutine that calls it, for tracers to compare with
// their own idea of the goroutine.
//
//go:noinline
func report(goid int) {
	atomic.AddInt64(&reportCalls, 1)
}

func main() {
	if len(os.Args) > 3 && os.Args[3] == "spin" {
		go spin()
	}
	rounds, _ := strconv.Atoi(os.Args[1])
	delay := 300
	if len(os.Args) > 2 {
		delay, _ = strconv.Atoi(os.Args[2])
	}
	time.Sleep(time.Duration(delay) * time.Millisecond)
	srv := &server{name: "gofuncs", port: 8080}
	for i := 0; i < rounds; i++ {
		sum += int64(add(i, 40))
		srv.handle(fmt.Sprintf("/api/%d", i), i)
		xs := make([]int, i%4)
		for k := range xs {
			xs[k] = i*100 + k
		}
		mix(i, 0.5, i%2 == 0, xs)
		place(point{i, labels[i%3], 0.25})
		sink += float64(total(1, 2)) + total(0.5, 0.5)
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				grow(20)
				report(myGoid())
				nap(time.Millisecond)
			}()
		}
		wg.Wait()
	}
	fmt.Printf("add %d grow %d nap %d report %d total %d\n", addCalls, growCalls, napCalls,
		reportCalls, totalCalls)
	fmt.Printf("sum %d\n", sum)
	fmt.Printf("handle %d mix %d hits %d\n", handleCalls, mixCalls, srv.hits)
}
