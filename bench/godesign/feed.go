// feed: the design's business rule, on two tiny interfaces: personal items first from the stored offset, then
// random golden items to fill the requested size.
package main

import (
	"errors"
	"math/rand"
)

type feedStore interface {
	GetFeed(user uint32) (*[itemsPerUser]uint32, bool)
}

type offsetStore interface {
	GetOffset(user uint32) int
	SetOffset(user uint32, offset int)
}

var errSize = errors.New("invalid size")

type feedService struct {
	feeds   feedStore
	offsets offsetStore
	golden  []uint32
}

// Feed keeps the design's faults: size is a uint8 (wraps at 256), and the fallback picker draws random golden
// items until it has enough distinct ones, so it never ends when size exceeds the golden list.
func (f *feedService) Feed(user uint32, size uint8) ([]uint32, error) {
	if size == 0 {
		return nil, errSize
	}
	out := make([]uint32, 0, size)
	if row, ok := f.feeds.GetFeed(user); ok {
		offset := f.offsets.GetOffset(user)
		for offset < itemsPerUser && len(out) < int(size) && row[offset] != 0 {
			out = append(out, row[offset])
			offset++
		}
		f.offsets.SetOffset(user, offset)
	}
	for len(out) < int(size) {
		item := f.golden[rand.Intn(len(f.golden))]
		if !contains(out, item) {
			out = append(out, item)
		}
	}
	return out, nil
}

func contains(items []uint32, item uint32) bool {
	for _, v := range items {
		if v == item {
			return true
		}
	}
	return false
}
