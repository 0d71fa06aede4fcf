//! The write path: group commit, WAL append, memtable insert, memtable
//! switch and write stalls.
//!
//! Writers queue up; the writer at the front is the *leader*. It takes the
//! writers behind it (up to [`MAX_GROUP_BYTES`]) as its group, makes room
//! (possibly switching or stalling), assigns consecutive sequence numbers,
//! appends the whole group to the WAL as ONE record (one `write` system
//! call, and one fsync if any member asked for `sync`), inserts every batch
//! into the memtable, publishes the last sequence, then hands leadership to
//! the next writer in the queue. Followers sleep until their leader is done.
//!
//! A group never mixes `disable_wal` settings, and a non-sync leader never
//! takes a sync writer (it would not sync for it).

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use super::DbInner;
use super::active_wal::switch_wal;
use crate::batch::{BatchOp, HEADER_LEN, WriteBatch};
use crate::error::{Error, Result};
use crate::key::ValueKind;
use crate::memtable::{self, MemTable};
use crate::options::WriteOptions;
use crate::stats::StallCause;

/// A group stops growing past this many bytes of batches (so a small write
/// behind a huge one is not delayed much).
const MAX_GROUP_BYTES: usize = 1 << 20;

/// While slowed down (L0 past its slowdown trigger, or pending compaction
/// bytes past the soft limit), writes are paced to this rate, as RocksDB's
/// `delayed_write_rate` (16 MiB/s): each group adds its bytes to a debt, and
/// once the debt is worth at least 1 ms the leader sleeps it off (short
/// sleeps are dominated by the scheduler, so small writes pay in batches).
const DELAYED_WRITE_RATE: u64 = 16 << 20;

/// Debt (bytes) worth one millisecond at [`DELAYED_WRITE_RATE`].
const SLOWDOWN_MIN_DEBT: u64 = DELAYED_WRITE_RATE / 1000;

/// One queued write (or a request to switch the memtable).
pub(crate) struct Writer {
    batch: WriteBatch,
    sync: bool,
    disable_wal: bool,
    /// A flush request: switch the memtable, write nothing.
    switch_memtable: bool,
    done: AtomicBool,
    result: Mutex<Option<Result<()>>>,
    cv: Condvar,
}

/// The queue of writers; the front is the leader.
pub(crate) type WriteQueue = VecDeque<Arc<Writer>>;

/// Commits `batch` (blocking until it is durable as requested and visible).
/// REQUIRES: no lock held (takes `write_queue`, then as leader `state` and `wal`).
pub(crate) fn write(db: &DbInner, batch: WriteBatch, options: &WriteOptions) -> Result<()> {
    if options.sync && options.disable_wal {
        // Nothing would be synced: refuse rather than acknowledge a write as
        // durable that is not (RocksDB does the same).
        return Err(Error::InvalidArgument(
            "sync and disable_wal cannot both be set: a write without the WAL cannot be synced".into(),
        ));
    }
    batch.check()?;
    if batch.is_empty() {
        return Ok(());
    }
    commit(
        db,
        Writer {
            batch,
            sync: options.sync,
            disable_wal: options.disable_wal,
            switch_memtable: false,
            done: AtomicBool::new(false),
            result: Mutex::new(None),
            cv: Condvar::new(),
        },
    )
}

/// Switches the active memtable (if it holds anything) through the write
/// queue, so it cannot race a writer.
/// REQUIRES: no lock held.
pub(crate) fn switch_memtable(db: &DbInner) -> Result<()> {
    commit(
        db,
        Writer {
            batch: WriteBatch::new(),
            sync: false,
            disable_wal: false,
            switch_memtable: true,
            done: AtomicBool::new(false),
            result: Mutex::new(None),
            cv: Condvar::new(),
        },
    )
}

/// Blocks until no writer is queued or committing.
/// REQUIRES: no lock held; `closed` is set (else new writers may keep arriving).
pub(crate) fn wait_for_writers(db: &DbInner) {
    loop {
        if db.write_queue.lock().is_empty() {
            return;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn commit(db: &DbInner, writer: Writer) -> Result<()> {
    let me = Arc::new(writer);
    let mut queue = db.write_queue.lock();
    // Checked under the queue lock: once close has seen the queue empty, no
    // writer can join it (see `close`).
    if db.closed.load(Ordering::Acquire) {
        return Err(Error::Closed);
    }
    queue.push_back(Arc::clone(&me));
    while !me.done.load(Ordering::Acquire) && !Arc::ptr_eq(queue.front().expect("queue holds me"), &me) {
        me.cv.wait(&mut queue);
    }
    if me.done.load(Ordering::Acquire) {
        return me.result.lock().take().unwrap_or(Ok(()));
    }
    // Leader: take a group.
    let group = take_group(&queue, &me);
    drop(queue);

    let result = if me.switch_memtable {
        make_room(db, true, 0).map(|_| ())
    } else {
        commit_group(db, &group)
    };

    let mut queue = db.write_queue.lock();
    for w in &group {
        let front = queue.pop_front().expect("group members are queued");
        debug_assert!(Arc::ptr_eq(&front, w));
        if !Arc::ptr_eq(w, &me) {
            *w.result.lock() = Some(result.clone());
            w.done.store(true, Ordering::Release);
            w.cv.notify_one();
        }
    }
    if let Some(next) = queue.front() {
        next.cv.notify_one();
    }
    result
}

/// The leader and the compatible writers right behind it.
fn take_group(queue: &WriteQueue, leader: &Arc<Writer>) -> Vec<Arc<Writer>> {
    let mut group = vec![Arc::clone(leader)];
    if leader.switch_memtable {
        return group;
    }
    let mut bytes = leader.batch.encoded_len();
    for w in queue.iter().skip(1) {
        if w.switch_memtable || w.disable_wal != leader.disable_wal || (w.sync && !leader.sync) {
            break;
        }
        bytes += w.batch.encoded_len();
        if bytes > MAX_GROUP_BYTES {
            break;
        }
        group.push(Arc::clone(w));
    }
    group
}

/// REQUIRES: the caller leads the group (its writer is at the front of `write_queue`); no lock held.
fn commit_group(db: &DbInner, group: &[Arc<Writer>]) -> Result<()> {
    let group_bytes: u64 = group.iter().map(|w| w.batch.encoded_len() as u64).sum();
    let mem = make_room(db, false, group_bytes)?;
    let count: u64 = group.iter().map(|w| w.batch.count() as u64).sum();
    let first_seq = db.visible_seq.load(Ordering::Acquire) + 1;
    let last_seq = first_seq + count - 1;
    let leader = &group[0];

    if !leader.disable_wal {
        let appended = {
            let mut guard = db.wal.lock();
            let wal = &mut *guard;
            wal.drop_obsolete(|| db.versions.log_number());
            // One WAL record for the whole group: a batch header carrying the
            // group's first sequence and total count, then every batch's records.
            wal.record.clear();
            wal.record.extend_from_slice(&first_seq.to_le_bytes());
            wal.record.extend_from_slice(&(count as u32).to_le_bytes());
            for w in group {
                wal.record.extend_from_slice(&w.batch.encoded()[HEADER_LEN..]);
            }
            wal.writer.add_record(&wal.record).and_then(|n| {
                // Hand the bytes to the OS so a process crash cannot lose an
                // acknowledged write; fsync only when asked.
                if leader.sync {
                    // Older logs first: a synced write never sits behind a
                    // log that may lose its tail (active_wal).
                    wal.sync_all()?;
                    db.counters.wal_syncs.fetch_add(1, Ordering::Relaxed);
                } else {
                    wal.writer.flush()?;
                }
                Ok(n)
            })
        };
        let written = match appended {
            Ok(n) => n,
            Err(e) => {
                // A failed WAL write leaves the log in an unknown state: stop writes.
                let mut st = db.state.lock();
                db.set_background_error(&mut st, e.clone());
                return Err(e);
            }
        };
        db.counters.wal_bytes.fetch_add(written, Ordering::Relaxed);
    } else {
        // Close flushes the memtables while any holds a write the WAL lacks.
        db.last_unlogged_seq.fetch_max(last_seq, Ordering::AcqRel);
    }

    let mut seq = first_seq;
    let mut user_bytes = 0;
    for w in group {
        user_bytes += w.batch.user_bytes();
        seq = insert_batch(&mem, &w.batch, seq);
    }
    debug_assert_eq!(seq, last_seq + 1);
    db.versions.set_last_sequence(last_seq);
    db.visible_seq.store(last_seq, Ordering::Release);
    db.counters.user_bytes.fetch_add(user_bytes, Ordering::Relaxed);
    db.counters
        .writes
        .fetch_add(group.len() as u64, Ordering::Relaxed);
    db.counters.write_groups.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

/// Inserts every record of `batch` into `mem` starting at `seq`; returns the next sequence.
/// REQUIRES: the caller is the write leader, or recovery (single-threaded).
pub(crate) fn insert_batch(mem: &MemTable, batch: &WriteBatch, mut seq: u64) -> u64 {
    for op in batch.iter() {
        // Batches built in-process are well formed; recovered ones were
        // validated by WriteBatch::from_encoded.
        let Ok(op) = op else { break };
        match op {
            BatchOp::Put { key, value } => mem.add(seq, ValueKind::Value, key, value),
            BatchOp::Delete { key } => mem.add(seq, ValueKind::Delete, key, &[]),
            BatchOp::DeleteRange { begin, end } => mem.add(seq, ValueKind::RangeDelete, begin, end),
        }
        seq += 1;
    }
    seq
}

/// Ensures the active memtable has room (switching it when full or when
/// `force_switch`), applying write stalls; returns the memtable to insert into.
/// Called only by the write leader.
/// `group_bytes` is the size of the group about to be written (for pacing).
/// REQUIRES: the caller is the write leader; no lock held (takes `state`, and `wal` under it to switch logs).
pub(crate) fn make_room(db: &DbInner, mut force_switch: bool, group_bytes: u64) -> Result<Arc<MemTable>> {
    let opts = &db.options;
    let mut st = db.state.lock();
    let mut slowed_down = false;
    loop {
        if let Some(e) = &st.bg_error {
            return Err(e.clone());
        }
        if st.closing {
            return Err(Error::Closed);
        }
        let l0_files = st.l0_files;
        let pending = st.pending_compaction_bytes;

        // Slowdowns: pace this group (once), then go on. Deterministic mode
        // never slows down: its work is done inline, nothing piles up.
        if !slowed_down && !opts.deterministic {
            let cause = if l0_files >= opts.l0_slowdown_trigger && l0_files < opts.l0_stop_trigger {
                Some(StallCause::L0Slowdown)
            } else if pending >= opts.soft_pending_compaction_bytes_limit
                && pending < opts.hard_pending_compaction_bytes_limit
            {
                Some(StallCause::PendingCompactionSlowdown)
            } else {
                None
            };
            slowed_down = true;
            match cause {
                Some(cause) => {
                    st.slowdown_debt += group_bytes;
                    if st.slowdown_debt >= SLOWDOWN_MIN_DEBT {
                        // Pay the whole debt at the delayed rate in one sleep.
                        let pause = Duration::from_micros(st.slowdown_debt * 1_000_000 / DELAYED_WRITE_RATE);
                        st.slowdown_debt = 0;
                        let start = Instant::now();
                        parking_lot::MutexGuard::unlocked(&mut st, || std::thread::sleep(pause));
                        db.counters.record_stall(cause, start.elapsed());
                        continue;
                    }
                }
                None => st.slowdown_debt = 0,
            }
        }

        let full = st.mem.approximate_memory_usage() >= opts.write_buffer_size;
        if !full && !force_switch {
            return Ok(Arc::clone(&st.mem));
        }
        if force_switch && st.mem.is_empty() {
            return Ok(Arc::clone(&st.mem));
        }
        // Hard limits: wait for background work. (With max_write_buffer_number
        // of 1 or 2, one immutable memtable may be flushing while one takes writes.)
        let stop = if opts.deterministic {
            None
        } else if st.imm.len() + 1 >= opts.max_write_buffer_number.max(2) {
            Some(StallCause::MemtableLimit)
        } else if l0_files >= opts.l0_stop_trigger {
            Some(StallCause::L0Stop)
        } else if pending >= opts.hard_pending_compaction_bytes_limit {
            Some(StallCause::PendingCompactionStop)
        } else {
            None
        };
        if let Some(cause) = stop {
            let start = Instant::now();
            db.work_cv.notify_all();
            db.done_cv.wait_for(&mut st, Duration::from_millis(100));
            db.counters.record_stall(cause, start.elapsed());
            continue;
        }
        // Switch: new WAL, new memtable; the old one queues for flush. A
        // failure leaves the old log's tail in doubt (its sync failed, or
        // the new log may not survive a crash), so later writes must not go
        // on after it: the error is sticky.
        let log_number = match switch_wal(db) {
            Ok(n) => n,
            Err(e) => {
                db.set_background_error(&mut st, e.clone());
                return Err(e);
            }
        };
        let fresh = MemTable::with_filter(log_number, memtable::filter_bytes(opts.write_buffer_size));
        let old = std::mem::replace(&mut st.mem, fresh);
        st.imm.push_back(old);
        db.install_super_version(&mut st);
        db.work_cv.notify_all();
        force_switch = false;
        if opts.deterministic {
            // This writer flushes what it switched out, then compacts until
            // nothing scores >= 1: a point fixed by the operation stream.
            parking_lot::MutexGuard::unlocked(&mut st, || super::background::run_inline(db))?;
        }
    }
}
