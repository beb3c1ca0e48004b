// httpserver is the HTTP server of Go tracing tutorials: its handler computes e from the
// first terms of its series, as many as the request asks for.
//
//	httpserver [ADDR] [REQUESTS]
//
// serves http://ADDR/e?n=ITERATIONS (ADDR 127.0.0.1:8080 by default) until killed. With
// REQUESTS it asks itself for n=10, 20, ... REQUESTS times, printing each answer, and exits.
// Trace it with samples/go/compute_e.bt.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
)

// computeE sums 1/k! for k < iterations.
//
//go:noinline
func computeE(iterations int64) float64 {
	res := 2.0
	fact := 1.0
	for i := int64(2); i < iterations; i++ {
		fact *= float64(i)
		res += 1 / fact
	}
	return res
}

func handle(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
	if err != nil {
		http.Error(w, "n must be a number", http.StatusBadRequest)
		return
	}
	fmt.Fprintf(w, "e = %.15f\n", computeE(n))
}

func main() {
	addr := "127.0.0.1:8080"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	http.HandleFunc("/e", handle)
	if len(os.Args) <= 2 {
		fmt.Fprintf(os.Stderr, "serving http://%s/e?n=ITERATIONS\n", listener.Addr())
		http.Serve(listener, nil)
		return
	}
	go http.Serve(listener, nil)
	requests, _ := strconv.Atoi(os.Args[2])
	for i := 1; i <= requests; i++ {
		resp, err := http.Get(fmt.Sprintf("http://%s/e?n=%d", listener.Addr(), 10*i))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("n=%d %s", 10*i, body)
	}
}
