// Prints etcd 3.4's raftpb.Message.Marshal() bytes (hex) for a few messages,
// the reference for io.vetcd.transport.EtcdRaftMessageCodecTest. Run with
//   GO111MODULE=off GOPATH=/usr/share/gocode go run src/test/go/raftpbgolden/main.go
package main

import (
	"encoding/hex"
	"fmt"

	"go.etcd.io/etcd/raft/raftpb"
)

func main() {
	msgs := []struct {
		name string
		m    raftpb.Message
	}{
		{"heartbeat", raftpb.Message{Type: raftpb.MsgHeartbeat, To: 0x8e9e05c52164694d, From: 0x91bc3c398fb3c146, Term: 5, Commit: 17}},
		{"link-heartbeat", raftpb.Message{Type: raftpb.MsgHeartbeat}},
		{"heartbeat-ctx", raftpb.Message{Type: raftpb.MsgHeartbeat, To: 2, From: 1, Term: 3, Commit: 4, Context: []byte{0, 0, 0, 0, 0, 0, 0, 9}}},
		{"app", raftpb.Message{Type: raftpb.MsgApp, To: 2, From: 1, Term: 7, LogTerm: 6, Index: 100, Commit: 99,
			Entries: []raftpb.Entry{{Term: 7, Index: 101, Type: raftpb.EntryNormal, Data: []byte("hello")},
				{Term: 7, Index: 102, Type: raftpb.EntryConfChange, Data: []byte{1, 2, 3}},
				{Term: 7, Index: 103}}}},
		{"appresp-reject", raftpb.Message{Type: raftpb.MsgAppResp, To: 1, From: 2, Term: 7, Index: 50, Reject: true, RejectHint: 42}},
		{"vote-transfer", raftpb.Message{Type: raftpb.MsgVote, To: 1, From: 2, Term: 8, LogTerm: 7, Index: 103, Context: []byte("CampaignTransfer")}},
		{"readindex", raftpb.Message{Type: raftpb.MsgReadIndex, To: 1, From: 2, Entries: []raftpb.Entry{{Data: []byte{0, 0, 0, 0, 0, 0, 1, 0}}}}},
		{"readindexresp", raftpb.Message{Type: raftpb.MsgReadIndexResp, To: 2, From: 1, Term: 8, Index: 120, Entries: []raftpb.Entry{{Data: []byte{0, 0, 0, 0, 0, 0, 1, 0}}}}},
		{"snap", raftpb.Message{Type: raftpb.MsgSnap, To: 3, From: 1, Term: 9, Snapshot: raftpb.Snapshot{Data: []byte("{\"v2\":1}"),
			Metadata: raftpb.SnapshotMetadata{Index: 1000, Term: 9, ConfState: raftpb.ConfState{Voters: []uint64{1, 2, 3}, Learners: []uint64{0xfedcba9876543210}}}}}},
	}
	for _, x := range msgs {
		b, err := x.m.Marshal()
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s %s\n", x.name, hex.EncodeToString(b))
	}
}
