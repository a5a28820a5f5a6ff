// A rebuild of the Go service recfeed replaces, as a bench target (bench/load.sh --targets go): fasthttp, the
// feed rule in feed.go, the data in storage.go. Usage: godesign --data feeds.bin --addr 127.0.0.1:PORT
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strconv"

	"github.com/valyala/fasthttp"
)

const defaultSize = 10

var feedPrefix = []byte("/feed/")

type api struct{ feed *feedService }

func (a *api) handle(ctx *fasthttp.RequestCtx) {
	path := ctx.Path()
	switch {
	case bytes.Equal(path, []byte("/healthz")):
		ctx.SetBodyString("ok\n")
	case bytes.HasPrefix(path, feedPrefix) && ctx.IsGet():
		a.serveFeed(ctx, path[len(feedPrefix):])
	default:
		ctx.SetStatusCode(fasthttp.StatusNotFound)
	}
}

func (a *api) serveFeed(ctx *fasthttp.RequestCtx, id []byte) {
	user, err := strconv.ParseUint(string(id), 10, 32)
	if err != nil {
		ctx.Error("invalid user id\n", fasthttp.StatusBadRequest)
		return
	}
	size := defaultSize
	if s := ctx.QueryArgs().Peek("size"); s != nil {
		if size, err = strconv.Atoi(string(s)); err != nil {
			ctx.Error("invalid size\n", fasthttp.StatusBadRequest)
			return
		}
	}
	items, err := a.feed.Feed(uint32(user), uint8(size))
	if err != nil {
		ctx.Error(err.Error()+"\n", fasthttp.StatusBadRequest)
		return
	}
	body := make([]byte, 0, 16*len(items)+2)
	body = append(body, '[')
	for i, item := range items {
		if i > 0 {
			body = append(body, ',')
		}
		body = strconv.AppendUint(body, uint64(item), 10)
	}
	body = append(body, ']')
	ctx.SetContentType("application/json")
	ctx.SetBody(body)
}

func main() {
	data := flag.String("data", "", "feeds.bin to serve")
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	s, err := loadFeeds(*data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "godesign:", err)
		os.Exit(2)
	}
	a := &api{feed: &feedService{feeds: s, offsets: s, golden: s.Golden()}}
	server := &fasthttp.Server{Handler: a.handle, NoDefaultServerHeader: true}
	if err := server.ListenAndServe(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "godesign:", err)
		os.Exit(1)
	}
}
