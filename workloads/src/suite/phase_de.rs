//! Deserializing phases from YAML: `- kind: {fields}`, `- kind: {}`,
//! `- kind:` or a bare `- kind`, then resolving defaults and checking.
//!
//! Invariants: a kind name is checked at its key (with a suggestion); the
//! fields are read by `phase_fields.rs`; cross-field errors point at the
//! field at fault (e.g. `duration` when both `ops` and `duration` are set).
//! Checks that need `data:` (default `ops`, fill and
//! range widths, key widths for inserts) read the suite's [`DataSpec`] from
//! a thread-local set by [`with_data`] for the duration of one parse; the
//! suite parser fills it from a first pass over `data:` alone.

use std::cell::Cell;
use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

use crate::r#gen::keys::digits;
use crate::suite::data::DataSpec;
use crate::suite::error::field_error;
use crate::suite::phase::{CommonFields, Mix, PHASE_KINDS, Phase, PhaseKind, RateSearch};
use crate::suite::phase_fields::{FieldsSeed, MAX_BATCH, MAX_THREADS, RawFields, WEIGHTS, backticked};

thread_local! {
    static DATA: Cell<Option<DataSpec>> = const { Cell::new(None) };
}

/// Runs `f` (a parse) with `data` visible to phase checks on this thread.
pub(crate) fn with_data<T>(data: DataSpec, f: impl FnOnce() -> T) -> T {
    let previous = DATA.replace(Some(data));
    let result = f();
    DATA.set(previous);
    result
}

fn data() -> DataSpec {
    DATA.get().unwrap_or_default()
}

/// Turns the raw fields of `kind` into a resolved kind, common fields and
/// the phase's own `name:` when given.
fn build<E: de::Error>(
    kind: &'static str,
    mut raw: RawFields,
) -> Result<(PhaseKind, CommonFields, Option<String>), E> {
    let name = raw.name.take();
    let data = data();
    if raw.ops.is_some() && raw.duration.is_some() {
        return Err(field_error(
            "duration",
            "set either `ops` or `duration`, not both",
        ));
    }
    if raw.ops == Some(0) {
        return Err(field_error("ops", "ops must be at least 1"));
    }
    if raw.duration.is_some_and(|d| d.is_zero()) {
        return Err(field_error("duration", "duration must be greater than zero"));
    }
    if let (Some(w), Some(d)) = (raw.warmup, raw.duration)
        && w >= d
    {
        return Err(field_error(
            "warmup",
            format_args!("warmup ({w:?}) must be shorter than duration ({d:?})"),
        ));
    }
    if let Some(t) = raw.threads.filter(|&t| t > MAX_THREADS) {
        return Err(field_error(
            "threads",
            format_args!("threads must be at most {MAX_THREADS}, found {t}"),
        ));
    }
    if let Some(b) = raw.batch.filter(|&b| b > MAX_BATCH) {
        return Err(field_error(
            "batch",
            format_args!("batch must be at most {MAX_BATCH} writes, found {b}"),
        ));
    }
    let mut common = CommonFields {
        ops: raw.ops,
        duration: raw.duration,
        threads: raw.threads.unwrap_or(1),
        distribution: raw.distribution.unwrap_or_default(),
        rate: raw.rate,
        warmup: raw.warmup,
        batch: raw.batch.unwrap_or(1),
        sync: raw.sync.unwrap_or(false),
        drop_caches: raw.drop_caches.unwrap_or(false),
    };
    if common.ops.is_none() && common.duration.is_none() {
        common.ops = Some(data.keys);
    }
    let kind = match kind {
        "fill" => {
            if common.ops.is_some_and(|ops| ops > data.keys) {
                return Err(field_error(
                    "ops",
                    format_args!(
                        "fill writes each key once: ops must be at most data.keys ({})",
                        data.keys
                    ),
                ));
            }
            PhaseKind::Fill {
                order: raw.order.unwrap_or_default(),
            }
        }
        "overwrite" => PhaseKind::Overwrite,
        "update" => PhaseKind::Update,
        "read_random" => PhaseKind::ReadRandom,
        "read_hot" => {
            let f = raw.hot_fraction.unwrap_or(0.01);
            if !(f > 0.0 && f <= 1.0) {
                return Err(field_error(
                    "hot_fraction",
                    format_args!("hot_fraction must be in (0, 1], found {f}"),
                ));
            }
            PhaseKind::ReadHot { hot_fraction: f }
        }
        "read_missing" => PhaseKind::ReadMissing,
        "read_seq" => PhaseKind::ReadSeq,
        "seek_random" => PhaseKind::SeekRandom {
            nexts: raw.nexts.unwrap_or(0),
        },
        "delete_random" => PhaseKind::DeleteRandom,
        "delete_range" => {
            let ranges = raw.ranges.unwrap_or(100);
            let width = raw.width.unwrap_or(100);
            if ranges == 0 {
                return Err(field_error("ranges", "ranges must be at least 1"));
            }
            if width == 0 || width > data.keys {
                return Err(field_error(
                    "width",
                    format_args!(
                        "width must be between 1 and data.keys ({}), found {width}",
                        data.keys
                    ),
                ));
            }
            common.ops = Some(ranges);
            PhaseKind::DeleteRange { ranges, width }
        }
        "mixed" => {
            let [read, write, delete, scan, update, insert] = raw.weights.map(|w| w.unwrap_or(0.0));
            if read + write + delete + scan + update + insert <= 0.0 {
                return Err(de::Error::custom(format!(
                    "phase `mixed` needs at least one positive weight among {}",
                    backticked(&WEIGHTS)
                )));
            }
            if insert > 0.0
                && let Some(ops) = common.ops
            {
                let max_key = data.keys.saturating_add(ops);
                if digits(max_key) > data.key_size {
                    return Err(field_error(
                        "insert",
                        format_args!(
                            "inserts may reach key number {max_key}, which needs {} digits but data.key_size is {}",
                            digits(max_key),
                            data.key_size
                        ),
                    ));
                }
            }
            PhaseKind::Mixed {
                read,
                write,
                delete,
                scan,
                scan_len: raw.scan_len.unwrap_or(100),
                update,
                insert,
            }
        }
        "read_while_writing" => {
            common.threads = raw.threads.unwrap_or(2);
            if common.threads < 2 {
                return Err(field_error(
                    "threads",
                    "read_while_writing needs at least 2 threads (readers plus one writer)",
                ));
            }
            PhaseKind::ReadWhileWriting {
                write_rate: raw.write_rate,
            }
        }
        "max_rate" => max_rate(&mut raw, &mut common)?,
        "flush" | "compact" | "wait_for_compaction" => {
            common.ops = Some(1);
            match kind {
                "flush" => PhaseKind::Flush,
                "compact" => PhaseKind::Compact,
                _ => PhaseKind::WaitForCompaction,
            }
        }
        other => return Err(de::Error::custom(format!("unknown phase kind `{other}`"))),
    };
    Ok((kind, common, name))
}

/// Shortest `max_rate` window: growth over it needs several samples.
const MIN_WINDOW: Duration = Duration::from_secs(1);
/// The latency histograms' resolution: a p99 bound below it cannot hold.
const MIN_P99: Duration = Duration::from_micros(1);

/// Resolves and checks `max_rate`: a search that cannot succeed (a p99
/// bound of zero, a slowdown share outside [0, 1), a precision outside
/// (0, 1), a start above the ceiling) is an error at its field.
fn max_rate<E: de::Error>(raw: &mut RawFields, common: &mut CommonFields) -> Result<PhaseKind, E> {
    let Some(m) = raw.mix.take() else {
        return Err(field_error(
            "mix",
            "max_rate needs `mix:` (e.g. `mix: {read: 0.7, write: 0.3}`)",
        ));
    };
    let weights = [m.read, m.write, m.delete, m.scan, m.update];
    if let Some((name, w)) = ["read", "write", "delete", "scan", "update"]
        .into_iter()
        .zip(weights)
        .find(|(_, w)| !(w.is_finite() && *w >= 0.0))
    {
        return Err(field_error(
            "mix",
            format_args!("weight `{name}` must be a non-negative number, found {w}"),
        ));
    }
    if weights.iter().sum::<f64>() <= 0.0 {
        return Err(field_error(
            "mix",
            "mix needs at least one positive weight among `read`, `write`, `delete`, `scan`, `update`",
        ));
    }
    let Some(window) = raw.window else {
        return Err(field_error(
            "window",
            "max_rate needs `window:` (e.g. `window: 20s`)",
        ));
    };
    if window < MIN_WINDOW {
        return Err(field_error(
            "window",
            format_args!("window must be at least 1s to judge growth over it, found {window:?}"),
        ));
    }
    let Some(p99) = raw.p99 else {
        return Err(field_error(
            "p99",
            "max_rate needs a latency bound `p99:` (e.g. `p99: 5ms`)",
        ));
    };
    if p99 < MIN_P99 {
        return Err(field_error(
            "p99",
            format_args!(
                "p99 bound {p99:?} cannot hold: latencies are measured in microseconds, so it must be at least 1us"
            ),
        ));
    }
    let slowdown = raw.slowdown.unwrap_or(0.05);
    if !(0.0..1.0).contains(&slowdown) {
        return Err(field_error(
            "slowdown",
            format_args!("slowdown is a share of the window in [0, 1), found {slowdown}"),
        ));
    }
    let precision = raw.precision.unwrap_or(0.05);
    if !(precision > 0.0 && precision < 1.0) {
        return Err(field_error(
            "precision",
            format_args!("precision is a relative gap in (0, 1), e.g. 0.05, found {precision}"),
        ));
    }
    let start_rate = raw.start_rate.unwrap_or(1000.0);
    if let Some(c) = raw.ceiling.filter(|&c| c < start_rate) {
        return Err(field_error(
            "ceiling",
            format_args!("ceiling ({c}/s) is below start_rate ({start_rate}/s)"),
        ));
    }
    common.ops = None;
    common.duration = None;
    Ok(PhaseKind::MaxRate {
        mix: Mix {
            read: m.read,
            write: m.write,
            delete: m.delete,
            scan: m.scan,
            scan_len: m.scan_len.map_or(100, |n| n.0),
            update: m.update,
            insert: 0.0,
        },
        search: RateSearch {
            window,
            p99,
            slowdown,
            precision,
            start_rate,
            ceiling: raw.ceiling,
            max_probes: raw.max_probes.unwrap_or(12),
        },
    })
}

/// Validates a phase kind name at the key's position.
struct KindSeed;

impl<'de> DeserializeSeed<'de> for KindSeed {
    type Value = &'static str;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<&'static str, D::Error> {
        d.deserialize_str(self)
    }
}

fn kind_name<E: de::Error>(v: &str) -> Result<&'static str, E> {
    PHASE_KINDS.iter().find(|&&k| k == v).copied().ok_or_else(|| {
        E::custom(format!(
            "unknown phase kind `{v}`, expected one of {}",
            backticked(PHASE_KINDS)
        ))
    })
}

impl<'de> Visitor<'de> for KindSeed {
    type Value = &'static str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a phase kind")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<&'static str, E> {
        kind_name(v)
    }
}

/// One element of `phases:`, deserialized with its own error positions.
pub(crate) struct RawPhase(pub Phase);

impl<'de> Deserialize<'de> for RawPhase {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PhaseVisitor)
    }
}

struct PhaseVisitor;

impl<'de> Visitor<'de> for PhaseVisitor {
    type Value = RawPhase;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a phase: a one-key map like `overwrite: {ops: 1M}` or a bare kind like `flush`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawPhase, E> {
        let kind = kind_name(v)?;
        let (kind, common, name) = build(kind, RawFields::default())?;
        Ok(RawPhase(Phase {
            name: name.unwrap_or_else(|| kind.name().to_string()),
            kind,
            common,
        }))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawPhase, A::Error> {
        let Some(kind) = map.next_key_seed(KindSeed)? else {
            return Err(de::Error::custom(
                "empty phase; expected a one-key map like `overwrite: {ops: 1M}`",
            ));
        };
        let raw = map.next_value_seed(FieldsSeed { kind })?;
        if let Some(extra) = map.next_key::<String>()? {
            return Err(field_error(
                &extra,
                format_args!(
                    "a phase is a one-key map (`- {kind}: {{...}}`), found a second key `{extra}`; \
                     put fields inside the braces, or start a new phase with `-`"
                ),
            ));
        }
        let (kind, common, name) = build(kind, raw)?;
        Ok(RawPhase(Phase {
            name: name.unwrap_or_else(|| kind.name().to_string()),
            kind,
            common,
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::suite::phase::Order;

    fn parse(yaml: &str) -> Result<Phase, String> {
        let data = DataSpec {
            keys: 1000,
            key_size: 6,
            ..DataSpec::default()
        };
        with_data(data, || {
            serde_norway::from_str::<RawPhase>(yaml)
                .map(|p| p.0)
                .map_err(|e| e.to_string())
        })
    }

    #[test]
    fn bare_empty_and_full_forms() {
        assert_eq!(parse("flush").unwrap().kind, PhaseKind::Flush);
        assert_eq!(parse("flush: {}").unwrap().kind, PhaseKind::Flush);
        assert_eq!(parse("compact:").unwrap().kind, PhaseKind::Compact);
        let p = parse("fill: {order: random, threads: 2}").unwrap();
        assert_eq!(p.kind, PhaseKind::Fill { order: Order::Random });
        assert_eq!(p.common.threads, 2);
        assert_eq!(p.common.ops, Some(1000), "ops defaults to data.keys");
        let p = parse("mixed: {duration: 30s, read: 0.9, write: 0.1, rate: 50k}").unwrap();
        assert_eq!(p.common.duration, Some(Duration::from_secs(30)));
        assert_eq!(p.common.ops, None);
        assert_eq!(p.common.rate, Some(50_000.0));
        let p = parse("read_while_writing: {}").unwrap();
        assert_eq!(p.common.threads, 2);
        let p = parse("delete_range: {ranges: 10, width: 5}").unwrap();
        assert_eq!(p.common.ops, Some(10));
        let p = parse("max_rate: {mix: {read: 0.7, write: 0.3}, window: 20s, p99: 5ms, threads: 2}").unwrap();
        let PhaseKind::MaxRate { mix, search } = p.kind else {
            panic!("{:?}", p.kind)
        };
        assert_eq!(
            (mix.read, mix.write, mix.insert, mix.scan_len),
            (0.7, 0.3, 0.0, 100)
        );
        assert_eq!(search.window, Duration::from_secs(20));
        assert_eq!(search.p99, Duration::from_millis(5));
        assert_eq!(
            (search.slowdown, search.precision, search.start_rate),
            (0.05, 0.05, 1000.0)
        );
        assert_eq!((search.ceiling, search.max_probes), (None, 12));
        assert_eq!(
            (p.common.ops, p.common.duration, p.common.threads),
            (None, None, 2)
        );
    }

    #[test]
    fn name_and_drop_caches_apply_to_every_kind() {
        let p = parse("fill: {name: fillseq, order: seq}").unwrap();
        assert_eq!(p.name, "fillseq");
        assert!(!p.common.drop_caches);
        let p = parse("read_random: {ops: 10, drop_caches: true}").unwrap();
        assert_eq!(p.name, "read_random");
        assert!(p.common.drop_caches);
        let p = parse("compact: {name: full-compaction}").unwrap();
        assert_eq!(
            (p.name.as_str(), &p.kind),
            ("full-compaction", &PhaseKind::Compact)
        );
    }

    #[test]
    fn fields_of_other_kinds_and_conflicting_fields_are_rejected() {
        let e = parse("fill: {nexts: 3}").unwrap_err();
        assert!(
            e.contains("unknown field `nexts` for phase `fill` (it applies to other phase kinds)"),
            "{e}"
        );
        assert!(
            parse("flush: {ops: 3}")
                .unwrap_err()
                .contains("takes no fields besides `name`")
        );
        assert!(
            parse("fill: {name: \" \"}")
                .unwrap_err()
                .contains("phase name must be non-empty")
        );
        assert!(
            parse("overwrite: {ops: 1, duration: 1s}")
                .unwrap_err()
                .contains("not both")
        );
        assert!(parse("overwrite: {ops: 0}").unwrap_err().contains("at least 1"));
        assert!(
            parse("fill: {ops: 2000}")
                .unwrap_err()
                .contains("at most data.keys")
        );
        assert!(parse("mixed: {}").unwrap_err().contains("positive weight"));
        assert!(parse("mixed: {read: -1}").unwrap_err().contains("non-negative"));
        assert!(
            parse("read_hot: {hot_fraction: 0}")
                .unwrap_err()
                .contains("hot_fraction")
        );
        assert!(
            parse("delete_range: {width: 5000}")
                .unwrap_err()
                .contains("width")
        );
        assert!(
            parse("read_while_writing: {threads: 1}")
                .unwrap_err()
                .contains("at least 2")
        );
        assert!(
            parse("overwirte: {}")
                .unwrap_err()
                .contains("unknown phase kind `overwirte`")
        );
        assert!(parse("fill: {}\nflush: {}").unwrap_err().contains("one-key map"));
        assert!(parse("{fill: {ops: 1, ops: 2}}").is_err());
        assert!(
            parse("mixed: {insert: 1, ops: 1M}")
                .unwrap_err()
                .contains("key_size")
        );
        assert!(parse("[1]").is_err());
        for (yaml, needle) in [
            ("max_rate: {window: 2s, p99: 1ms}", "needs `mix:`"),
            ("max_rate: {mix: {read: 1}, p99: 1ms}", "needs `window:`"),
            ("max_rate: {mix: {read: 1}, window: 2s}", "needs a latency bound"),
            ("max_rate: {mix: {read: 1}, window: 2s, p99: 0ms}", "cannot hold"),
            (
                "max_rate: {mix: {read: 1}, window: 500ms, p99: 1ms}",
                "at least 1s",
            ),
            (
                "max_rate: {mix: {read: 0}, window: 2s, p99: 1ms}",
                "positive weight",
            ),
            (
                "max_rate: {mix: {read: -1, write: 1}, window: 2s, p99: 1ms}",
                "non-negative",
            ),
            (
                "max_rate: {mix: {insert: 1}, window: 2s, p99: 1ms}",
                "unknown field `insert`",
            ),
            (
                "max_rate: {mix: {read: 1}, window: 2s, p99: 1ms, slowdown: 1}",
                "[0, 1)",
            ),
            (
                "max_rate: {mix: {read: 1}, window: 2s, p99: 1ms, precision: 0}",
                "(0, 1)",
            ),
            (
                "max_rate: {mix: {read: 1}, window: 2s, p99: 1ms, start_rate: 5k, ceiling: 1k}",
                "below start_rate",
            ),
            (
                "max_rate: {mix: {read: 1}, window: 2s, p99: 1ms, ops: 5}",
                "unknown field `ops`",
            ),
        ] {
            let e = parse(yaml).unwrap_err();
            assert!(e.contains(needle), "{yaml}: {e}");
        }
        assert!(
            parse("read_random: {threads: 1M}")
                .unwrap_err()
                .contains("at most 1024")
        );
        assert!(
            parse("overwrite: {batch: 2M}")
                .unwrap_err()
                .contains("at most 1000000")
        );
    }
}
