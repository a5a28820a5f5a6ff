// storage: the Go design's data, as it held it. Every user's feed is a [200]uint32 value in one Go map, read
// positions live in a sync.Map, and the 50 most popular items are the golden (fallback) list.
//
// The data comes from the same feeds.bin recfeed serves, read by loadFeeds below (docs/feeds-format.md), so both
// answer the same users x items; the original built its map at start the same way, from its own source.
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"sync"
)

const itemsPerUser = 200
const goldenSize = 50

type storage struct {
	feeds   map[uint32][itemsPerUser]uint32
	offsets sync.Map // uint32 user -> int position
	golden  []uint32
}

// GetFeed returns the user's feed and whether the user exists.
func (s *storage) GetFeed(user uint32) (*[itemsPerUser]uint32, bool) {
	f, ok := s.feeds[user]
	return &f, ok
}

// GetOffset and SetOffset are the design's Load and Store: separate calls, so two requests can read the same
// offset and serve the same items (a fault recfeed's compare-and-swap removes; kept here, it is the design).
func (s *storage) GetOffset(user uint32) int {
	if v, ok := s.offsets.Load(user); ok {
		return v.(int)
	}
	return 0
}

func (s *storage) SetOffset(user uint32, offset int) { s.offsets.Store(user, offset) }

func (s *storage) Golden() []uint32 { return s.golden }

func loadFeeds(path string) (*storage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) < 128 || string(data[:8]) != "RECFEED\x00" {
		return nil, fmt.Errorf("%s: not a recfeed feeds file", path)
	}
	le := binary.LittleEndian
	if version := le.Uint32(data[8:]); version != 1 {
		return nil, fmt.Errorf("%s: format version %d; this reader knows version 1 (recfeed generate --format-version 1)", path, version)
	}
	users := le.Uint64(data[16:])
	perUser := le.Uint32(data[24:])
	fallback := le.Uint32(data[28:])
	shardIndex, shardCount := le.Uint32(data[56:]), le.Uint32(data[60:])
	matrix := le.Uint64(data[64:])
	if perUser != itemsPerUser || fallback < goldenSize || shardCount != 1 || shardIndex != 0 {
		return nil, fmt.Errorf("%s: needs one shard of %d items per user and at least %d fallback items", path, itemsPerUser, goldenSize)
	}
	if uint64(len(data)) != matrix+4*users*itemsPerUser {
		return nil, fmt.Errorf("%s: truncated or trailing data", path)
	}
	s := &storage{feeds: make(map[uint32][itemsPerUser]uint32, users), golden: make([]uint32, goldenSize)}
	for i := range s.golden {
		s.golden[i] = le.Uint32(data[128+4*i:])
	}
	for u := uint64(0); u < users; u++ {
		var row [itemsPerUser]uint32
		base := matrix + 4*u*itemsPerUser
		for i := range row {
			row[i] = le.Uint32(data[base+4*uint64(i):])
		}
		s.feeds[uint32(u)] = row
	}
	return s, nil
}
