// ebpfdemo calls the function of a well-known eBPF-on-Go tutorial once a second: integer,
// bool and float arguments, and three results. Trace it with samples/go/ebpf_demo.bt.
//
//	ebpfdemo [CALLS]
//
// calls ebpfDemo(i, i is odd, i/2) for i = 1, 2, ... (CALLS times, or until killed), printing
// each call's results.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

//go:noinline
func ebpfDemo(a1 int, a2 bool, a3 float32) (int64, int32, string) {
	word := "even"
	if a2 {
		word = "odd"
	}
	return int64(a1) * 100, int32(a3 * 2), word
}

func main() {
	calls := -1
	if len(os.Args) > 1 {
		calls, _ = strconv.Atoi(os.Args[1])
	}
	delay := time.Second
	if calls >= 0 {
		delay = 100 * time.Millisecond
		time.Sleep(300 * time.Millisecond) // for a tracer started with the program to attach
	}
	for i := 1; calls < 0 || i <= calls; i++ {
		r1, r2, r3 := ebpfDemo(i, i%2 == 1, float32(i)/2)
		fmt.Printf("ebpfDemo(%d, %t, %g) = %d, %d, %s\n", i, i%2 == 1, float32(i)/2, r1, r2, r3)
		time.Sleep(delay)
	}
}
