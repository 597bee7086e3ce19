//! The event queue: everything due, taken in (time, push order).

use crate::id::{CallId, HostId, SegmentId, SocketId};
use crate::repeat::CallMerge;
use crate::segment::Segment;
use crate::time::Instant;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

#[derive(Clone, Debug)]
pub(super) enum Queued {
    Deliver {
        id: SegmentId,
        to: HostId,
        seg: Segment,
    },
    Wake {
        socket: SocketId,
    },
    /// The head of a link's FIFO of deliveries (see [`EventQueue`]).
    LinkHead {
        link: u32,
    },
    Call {
        id: CallId,
    },
    /// The next call of the setup's merge (see [`EventQueue::merge`]).
    Merged,
    /// A reacting call whose event came.
    Fire {
        id: CallId,
    },
}

/// A queue key: 24 bytes, so that the heap moves little. The payload waits in a slab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    at: Instant,
    seq: u64,
    slot: u32,
}
/// A radix heap: a priority queue for keys that rarely go below the last key settled, as the
/// simulator's (time, push order) keys do. Pushes are O(1); taking the smallest moves each entry
/// at most once per bit of the key range. Keys are unique, so the order is total and
/// deterministic. Keys below the settled one (the consequences of a call taken before the heap's
/// smallest entry) wait in a small binary heap, all of them smaller than anything in the buckets.
#[derive(Clone, Debug)]
struct RadixHeap {
    /// The settled key: every key in the buckets is at least this.
    last: u128,
    /// Bucket 0 holds keys equal to `last`; bucket `b` keys whose highest bit differing from
    /// `last` is bit `b - 1`.
    buckets: Vec<Vec<Entry>>,
    /// Bit `b - 1` set when bucket `b` (1 to 128) is not empty.
    nonempty: u128,
    /// Keys pushed below `last`, with their slots.
    low: BinaryHeap<Reverse<(u128, u32)>>,
}

impl Default for RadixHeap {
    fn default() -> RadixHeap {
        RadixHeap {
            last: 0,
            buckets: (0..129).map(|_| Vec::new()).collect(),
            nonempty: 0,
            low: BinaryHeap::new(),
        }
    }
}

impl RadixHeap {
    fn key(e: &Entry) -> u128 {
        (u128::from(e.at.as_micros()) << 64) | u128::from(e.seq)
    }

    fn entry(key: u128, slot: u32) -> Entry {
        Entry {
            at: Instant::from_micros((key >> 64) as u64),
            seq: key as u64,
            slot,
        }
    }

    fn bucket_of(&self, key: u128) -> usize {
        if key <= self.last {
            0
        } else {
            128 - (key ^ self.last).leading_zeros() as usize
        }
    }

    pub(super) fn push(&mut self, e: Entry) {
        let key = Self::key(&e);
        if key < self.last {
            self.low.push(Reverse((key, e.slot)));
            return;
        }
        let b = self.bucket_of(key);
        self.buckets[b].push(e);
        if b > 0 {
            self.nonempty |= 1 << (b - 1);
        }
    }

    /// Brings the smallest key of the buckets into bucket 0; false when they are empty.
    fn settle(&mut self) -> bool {
        if !self.buckets[0].is_empty() {
            return true;
        }
        if self.nonempty == 0 {
            return false;
        }
        let b = self.nonempty.trailing_zeros() as usize + 1;
        self.nonempty &= !(1 << (b - 1));
        let mut moving = std::mem::take(&mut self.buckets[b]);
        self.last = moving.iter().map(Self::key).min().unwrap_or(self.last);
        for e in moving.drain(..) {
            // Every entry goes to a lower bucket than `b`.
            let nb = self.bucket_of(Self::key(&e));
            self.buckets[nb].push(e);
            if nb > 0 {
                self.nonempty |= 1 << (nb - 1);
            }
        }
        self.buckets[b] = moving; // keeps its allocation
        true
    }

    fn peek(&mut self) -> Option<Entry> {
        if let Some(Reverse((key, slot))) = self.low.peek() {
            return Some(Self::entry(*key, *slot));
        }
        if self.settle() {
            self.buckets[0].last().copied()
        } else {
            None
        }
    }

    fn pop(&mut self) -> Option<Entry> {
        if let Some(Reverse((key, slot))) = self.low.pop() {
            return Some(Self::entry(key, slot));
        }
        if self.settle() {
            self.buckets[0].pop()
        } else {
            None
        }
    }
}

/// The event queue: entries come out ordered by (time, push order), whatever structure holds
/// them. Three structures share that one order, to keep the heap small:
/// - calls, known before the run, wait in a vector sorted once;
/// - deliveries on one link are nearly always in time order, so each link has a FIFO and only
///   its head sits in the heap, keyed by the head's own (time, sequence number); a delivery that
///   would overtake the tail of its FIFO (jitter, reordering) goes into the heap directly;
/// - everything else (wake-ups, out-of-order deliveries) is in the heap, a radix heap.
#[derive(Clone, Debug, Default)]
pub(super) struct EventQueue {
    heap: RadixHeap,
    slots: Vec<Option<Queued>>,
    free: Vec<u32>,
    next_seq: u64,
    /// Per link: pending deliveries in (time, seq) order, and whether its head is in the heap.
    links: Vec<VecDeque<(Instant, u64, Queued)>>,
    /// Calls, sorted by (time, seq) descending when `calls_sorted`, so the next is last.
    calls: Vec<(Instant, u64, Queued)>,
    calls_sorted: bool,
    /// A setup's calls, made as the run reaches them. They were all scheduled before the run,
    /// so at the same time they go before anything else.
    pub(super) merge: Option<Box<CallMerge>>,
}

/// What a heap slot holds: an event, or "the head of link N".
#[derive(Clone, Debug)]
enum Slot {
    Event(Queued),
    LinkHead(u32),
}

impl EventQueue {
    fn seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    fn heap_push(&mut self, at: Instant, seq: u64, slot: Slot) {
        let what = match slot {
            Slot::Event(q) => q,
            Slot::LinkHead(link) => Queued::LinkHead { link },
        };
        let slot = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(what);
                i
            }
            None => {
                self.slots.push(Some(what));
                (self.slots.len() - 1) as u32
            }
        };
        self.heap.push(Entry { at, seq, slot });
    }

    pub(super) fn push(&mut self, at: Instant, what: Queued) {
        let seq = self.seq();
        if matches!(what, Queued::Call { .. }) {
            self.calls.push((at, seq, what));
            self.calls_sorted = false;
        } else {
            self.heap_push(at, seq, Slot::Event(what));
        }
    }

    /// A delivery on link number `link`.
    pub(super) fn push_delivery(&mut self, link: u32, at: Instant, what: Queued) {
        let seq = self.seq();
        let l = link as usize;
        if self.links.len() <= l {
            self.links.resize_with(l + 1, VecDeque::new);
        }
        let fifo = &mut self.links[l];
        match fifo.back() {
            Some((tail, ..)) if at < *tail => self.heap_push(at, seq, Slot::Event(what)),
            _ => {
                let was_empty = fifo.is_empty();
                fifo.push_back((at, seq, what));
                if was_empty {
                    self.heap_push(at, seq, Slot::LinkHead(link));
                }
            }
        }
    }

    fn next_call_key(&mut self) -> Option<(Instant, u64)> {
        if !self.calls_sorted {
            self.calls
                .sort_unstable_by_key(|c| std::cmp::Reverse((c.0, c.1)));
            self.calls_sorted = true;
        }
        self.calls.last().map(|(at, seq, _)| (*at, *seq))
    }

    pub(super) fn peek_time(&mut self) -> Option<Instant> {
        let heap = self.heap.peek().map(|e| e.at);
        let call = self.next_call_key().map(|k| k.0);
        let merged = self.merge.as_ref().and_then(|m| m.peek());
        [heap, call, merged].into_iter().flatten().min()
    }

    pub(super) fn pop(&mut self) -> Option<(Instant, Queued)> {
        if let Some(m) = self.merge.as_ref().and_then(|m| m.peek())
            && self.next_call_key().is_none_or(|c| m <= c.0)
            && self.heap.peek().is_none_or(|e| m <= e.at)
        {
            return Some((m, Queued::Merged));
        }
        let call = self.next_call_key();
        let heap = self.heap.peek().map(|e| (e.at, e.seq));
        let take_call = match (call, heap) {
            (Some(c), Some(h)) => c < h,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if take_call {
            return self.calls.pop().map(|(at, _, what)| (at, what));
        }
        let e = self.heap.pop()?;
        let what = self.slots[e.slot as usize].take()?;
        self.free.push(e.slot);
        match what {
            Queued::LinkHead { link } => {
                let fifo = &mut self.links[link as usize];
                let (at, _, what) = fifo.pop_front()?;
                if let Some((next_at, next_seq, _)) = fifo.front() {
                    let (next_at, next_seq) = (*next_at, *next_seq);
                    self.heap_push(next_at, next_seq, Slot::LinkHead(link));
                }
                Some((at, what))
            }
            what => Some((e.at, what)),
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[derive(Clone, Debug)]
    enum Op {
        /// Push at the last key taken plus this many microseconds.
        Later(u64),
        /// Push at this time, whatever was taken before (a call added from outside).
        Anywhere(u64),
        Pop,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u64..5_000_000).prop_map(Op::Later),
            1 => (0u64..5_000_000).prop_map(Op::Anywhere),
            4 => Just(Op::Pop),
        ]
    }

    proptest! {
        /// The radix heap takes keys out in (time, sequence) order, as an ordered set does,
        /// also when a key below the last one taken is pushed.
        #[test]
        fn the_radix_heap_pops_in_key_order(ops in proptest::collection::vec(op(), 1..400)) {
            let mut heap = RadixHeap::default();
            let mut model: BTreeSet<(u64, u64)> = BTreeSet::new();
            let mut seq = 0u64;
            let mut last_time = 0u64;
            for op in ops {
                let at = match op {
                    Op::Later(d) => Some(last_time + d),
                    Op::Anywhere(t) => Some(t),
                    Op::Pop => None,
                };
                match at {
                    Some(t) => {
                        seq += 1;
                        heap.push(Entry { at: Instant::from_micros(t), seq, slot: 0 });
                        model.insert((t, seq));
                    }
                    None => {
                        let got = heap.pop().map(|e| (e.at.as_micros(), e.seq));
                        let want = model.pop_first();
                        prop_assert_eq!(got, want);
                        if let Some((t, _)) = got {
                            last_time = t;
                        }
                    }
                }
                let peeked = heap.peek().map(|e| (e.at.as_micros(), e.seq));
                prop_assert_eq!(peeked, model.first().copied());
            }
            while let Some(want) = model.pop_first() {
                prop_assert_eq!(heap.pop().map(|e| (e.at.as_micros(), e.seq)), Some(want));
            }
            prop_assert!(heap.pop().is_none());
        }
    }
}
