//! Latency histograms: construction, summaries, and saving/loading in
//! HdrHistogram's standard forms so other HdrHistogram tools can read them.
//!
//! Invariants:
//! - Every latency histogram records nanoseconds, tracks 1 ns .. 1 hour at
//!   3 significant digits ([`new_histogram`]); values beyond the range
//!   saturate at the top instead of being lost.
//! - An interval log (`.hlog`) is the Java `HistogramLogWriter` format
//!   (V2 compressed histograms, base64), with a `BaseTime` header so interval
//!   timestamps are seconds since the phase started. Its intervals sum to
//!   the phase histogram ([`sum_interval_log`]).
//! - A `.hgrm` file is the Java `outputPercentileDistribution` text with
//!   values in microseconds (output value unit scaling ratio 1000).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::interval_log::{
    IntervalLogIterator, IntervalLogWriterBuilder, LogEntry, Tag,
};
use hdrhistogram::serialization::{Deserializer, V2DeflateSerializer};

use crate::model::{IntervalLatency, LatencySummary};

/// A latency histogram in nanoseconds.
pub type LatencyHistogram = Histogram<u64>;

/// Largest latency tracked exactly: one hour, in nanoseconds.
pub const HIGHEST_TRACKABLE_NS: u64 = 3_600 * 1_000_000_000;

/// Significant decimal digits kept by every latency histogram.
pub const SIGNIFICANT_DIGITS: u8 = 3;

/// `.hgrm` values are nanoseconds divided by this (i.e. microseconds).
pub const HGRM_UNIT_RATIO: f64 = 1000.0;

/// Why a histogram file could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum HdrError {
    /// File I/O failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not a valid interval log.
    #[error("{path}: {detail}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        detail: String,
    },
}

/// An empty latency histogram (1 ns .. 1 h, 3 significant digits).
pub fn new_histogram() -> LatencyHistogram {
    // The bounds are constants known to be valid; creation cannot fail.
    Histogram::new_with_bounds(1, HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS)
        .unwrap_or_else(|_| unreachable!("constant histogram bounds are valid"))
}

/// Percentile summary of `h`.
pub fn summarize(h: &LatencyHistogram) -> LatencySummary {
    if h.is_empty() {
        return LatencySummary::default();
    }
    LatencySummary {
        count: h.len(),
        min_ns: h.min(),
        mean_ns: h.mean(),
        stdev_ns: h.stdev(),
        p50_ns: h.value_at_quantile(0.50),
        p90_ns: h.value_at_quantile(0.90),
        p99_ns: h.value_at_quantile(0.99),
        p999_ns: h.value_at_quantile(0.999),
        p9999_ns: h.value_at_quantile(0.9999),
        max_ns: h.max(),
        clamped: 0,
    }
}

/// Short summary of one sampling interval of `h`.
pub fn interval_latency(h: &LatencyHistogram) -> IntervalLatency {
    if h.is_empty() {
        return IntervalLatency::default();
    }
    IntervalLatency {
        ops: h.len(),
        p50_ns: h.value_at_quantile(0.50),
        p99_ns: h.value_at_quantile(0.99),
        max_ns: h.max(),
    }
}

/// The `.hgrm` percentile distribution of `h` (values in microseconds),
/// byte-compatible with Java's `outputPercentileDistribution(out, 5, 1000.0)`.
pub fn hgrm_text(h: &LatencyHistogram) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let r = HGRM_UNIT_RATIO;
    let _ = write!(
        out,
        "{:>12} {:>14} {:>10} {:>14}\n\n",
        "Value", "Percentile", "TotalCount", "1/(1-Percentile)"
    );
    let mut total = 0u64;
    for v in h.iter_quantiles(5) {
        total += v.count_since_last_iteration();
        let q = v.quantile_iterated_to();
        let value = h.highest_equivalent(v.value_iterated_to()) as f64 / r;
        if q < 1.0 {
            let _ = writeln!(out, "{value:12.3} {q:2.12} {total:10} {:14.2}", 1.0 / (1.0 - q));
        } else {
            let _ = writeln!(out, "{value:12.3} {q:2.12} {total:10}");
        }
    }
    let (mean, stdev, max) = if h.is_empty() {
        (0.0, 0.0, 0.0)
    } else {
        (
            h.mean() / r,
            h.stdev() / r,
            h.highest_equivalent(h.max()) as f64 / r,
        )
    };
    let sub_buckets = (2 * 10u64.pow(u32::from(h.sigfig()))).next_power_of_two();
    let _ = writeln!(out, "#[Mean    = {mean:12.3}, StdDeviation   = {stdev:12.3}]");
    let _ = writeln!(out, "#[Max     = {max:12.3}, Total count    = {:12}]", h.len());
    let _ = writeln!(
        out,
        "#[Buckets = {:12}, SubBuckets     = {sub_buckets:12}]",
        h.buckets()
    );
    out
}

/// Writes `h` as a `.hgrm` file.
pub fn save_hgrm(path: &Path, h: &LatencyHistogram) -> Result<(), HdrError> {
    std::fs::write(path, hgrm_text(h)).map_err(|source| HdrError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// One interval of an interval log.
#[derive(Debug, Clone)]
pub struct LoggedInterval {
    /// Start, relative to the log's base time.
    pub start: Duration,
    /// Length of the interval.
    pub duration: Duration,
    /// Tag, when present.
    pub tag: Option<String>,
    /// The histogram.
    pub histogram: LatencyHistogram,
}

/// An interval log being written one interval at a time, so a long phase
/// never holds its interval histograms in memory: the header is written on
/// [`IntervalLogStream::create`], each [`IntervalLogStream::append`] adds one
/// line (HdrHistogram's Java `HistogramLogWriter` format, V2 compressed).
pub struct IntervalLogStream {
    path: PathBuf,
    file: std::fs::File,
    serializer: V2DeflateSerializer,
}

impl std::fmt::Debug for IntervalLogStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntervalLogStream")
            .field("path", &self.path)
            .finish()
    }
}

impl IntervalLogStream {
    /// Creates `path` and writes the header: `comment`, a note that values
    /// are nanoseconds, and `base_time` (when the phase started) as both
    /// StartTime and BaseTime, so interval starts are seconds since then.
    pub fn create(path: &Path, base_time: SystemTime, comment: &str) -> Result<IntervalLogStream, HdrError> {
        let io_err = |source| HdrError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = std::fs::File::create(path).map_err(io_err)?;
        let mut serializer = V2DeflateSerializer::new();
        IntervalLogWriterBuilder::new()
            .add_comment(comment)
            .add_comment("latencies in nanoseconds")
            .with_start_time(base_time)
            .with_base_time(base_time)
            .begin_log_with(&mut file, &mut serializer)
            .map_err(io_err)?;
        Ok(IntervalLogStream {
            path: path.to_path_buf(),
            file,
            serializer,
        })
    }

    /// Appends one interval (`start` relative to the base time).
    pub fn append(
        &mut self,
        histogram: &LatencyHistogram,
        start: Duration,
        duration: Duration,
        tag: Option<&str>,
    ) -> Result<(), HdrError> {
        // A builder without comments or times writes no header: only the line.
        let mut writer = IntervalLogWriterBuilder::new()
            .begin_log_with(&mut self.file, &mut self.serializer)
            .map_err(|source| HdrError::Io {
                path: self.path.clone(),
                source,
            })?;
        writer
            .write_histogram(histogram, start, duration, tag.and_then(Tag::new))
            .map_err(|e| HdrError::Format {
                path: self.path.clone(),
                detail: format!("cannot write interval: {e}"),
            })
    }
}

/// Writes a whole interval log at once (see [`IntervalLogStream`]).
pub fn save_interval_log(
    path: &Path,
    base_time: SystemTime,
    comment: &str,
    intervals: &[LoggedInterval],
) -> Result<(), HdrError> {
    let mut log = IntervalLogStream::create(path, base_time, comment)?;
    for iv in intervals {
        log.append(&iv.histogram, iv.start, iv.duration, iv.tag.as_deref())?;
    }
    Ok(())
}

/// Reads every interval of an interval log written by [`save_interval_log`]
/// (or any HdrHistogram interval log).
pub fn load_interval_log(path: &Path) -> Result<Vec<LoggedInterval>, HdrError> {
    let bytes = std::fs::read(path).map_err(|source| HdrError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let format = |detail: String| HdrError::Format {
        path: path.to_path_buf(),
        detail,
    };
    let mut deserializer = Deserializer::new();
    let mut out = Vec::new();
    for entry in IntervalLogIterator::new(&bytes) {
        let entry = entry.map_err(|e| format(format!("{e:?}")))?;
        let LogEntry::Interval(iv) = entry else {
            continue;
        };
        let raw = base64::engine::general_purpose::STANDARD
            .decode(iv.encoded_histogram())
            .map_err(|e| format(format!("interval at {:?}: bad base64: {e}", iv.start_timestamp())))?;
        let histogram: LatencyHistogram = deserializer
            .deserialize(&mut raw.as_slice())
            .map_err(|e| format(format!("interval at {:?}: {e:?}", iv.start_timestamp())))?;
        out.push(LoggedInterval {
            start: iv.start_timestamp(),
            duration: iv.duration(),
            tag: iv.tag().map(|t| t.as_str().to_string()),
            histogram,
        });
    }
    Ok(out)
}

/// The sum of every interval of an interval log: the whole-phase histogram.
pub fn sum_interval_log(path: &Path) -> Result<LatencyHistogram, HdrError> {
    let mut total = new_histogram();
    for iv in load_interval_log(path)? {
        total.add(&iv.histogram).map_err(|e| HdrError::Format {
            path: path.to_path_buf(),
            detail: format!("cannot add interval: {e:?}"),
        })?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(values: impl IntoIterator<Item = u64>) -> LatencyHistogram {
        let mut h = new_histogram();
        for v in values {
            h.saturating_record(v);
        }
        h
    }

    #[test]
    fn summary_matches_sorted_oracle() {
        let values: Vec<u64> = (1..=10_000).map(|i| i * 1000).collect();
        let s = summarize(&filled(values.iter().copied()));
        assert_eq!(s.count, 10_000);
        // 3 significant digits: within 0.1% of the exact order statistic.
        let close = |got: u64, want: u64| (got as f64 - want as f64).abs() <= want as f64 * 0.001 + 1.0;
        assert!(close(s.p50_ns, 5_000_000), "{}", s.p50_ns);
        assert!(close(s.p99_ns, 9_900_000), "{}", s.p99_ns);
        assert!(close(s.max_ns, 10_000_000));
        assert!(close(s.min_ns, 1000));
        assert_eq!(summarize(&new_histogram()), LatencySummary::default());
    }

    #[test]
    fn saturates_instead_of_dropping() {
        let h = filled([u64::MAX, 5]);
        assert_eq!(h.len(), 2);
        assert!(h.max() >= HIGHEST_TRACKABLE_NS);
    }

    #[test]
    fn hgrm_has_java_layout() {
        let h = filled((1..=1000).map(|i| i * 1000));
        let text = hgrm_text(&h);
        let mut lines = text.lines();
        assert!(lines.next().unwrap().contains("1/(1-Percentile)"));
        assert_eq!(lines.next().unwrap(), "");
        let rows: Vec<&str> = text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .skip(1)
            .collect();
        // First row is the minimum (1 us), last row is 100% with total count and no 4th column.
        assert!(
            rows[0].trim_start().starts_with("1.000 0.000000000000"),
            "{}",
            rows[0]
        );
        let last: Vec<&str> = rows.last().unwrap().split_whitespace().collect();
        assert_eq!(last.len(), 3);
        assert_eq!(last[1], "1.000000000000");
        assert_eq!(last[2], "1000");
        assert!(text.contains("Total count    =         1000]"));
        assert!(text.contains("SubBuckets     =         2048]"));
    }

    #[test]
    fn interval_log_round_trips_and_sums() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.hlog");
        let a = filled([100, 200, 300]);
        let b = filled([1_000_000, 2_000_000]);
        let ivs = vec![
            LoggedInterval {
                start: Duration::ZERO,
                duration: Duration::from_secs(1),
                tag: Some("put".into()),
                histogram: a.clone(),
            },
            LoggedInterval {
                start: Duration::from_secs(1),
                duration: Duration::from_secs(1),
                tag: None,
                histogram: b.clone(),
            },
        ];
        save_interval_log(&path, SystemTime::now(), "test", &ivs).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("#[BaseTime:"));
        let back = load_interval_log(&path).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].tag.as_deref(), Some("put"));
        assert_eq!(back[0].histogram, a);
        assert_eq!(back[1].histogram, b);
        assert_eq!(back[1].start, Duration::from_secs(1));
        let total = sum_interval_log(&path).unwrap();
        assert_eq!(total.len(), 5);
        assert_eq!(total.max(), b.max());
    }

    #[test]
    fn streamed_log_has_one_header_and_every_interval() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.hlog");
        let mut log = IntervalLogStream::create(&path, SystemTime::now(), "streamed").unwrap();
        for i in 0..3u64 {
            let h = filled([100 * (i + 1)]);
            log.append(&h, Duration::from_secs(i), Duration::from_secs(1), Some("get"))
                .unwrap();
        }
        drop(log);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches("#[BaseTime:").count(), 1);
        let back = load_interval_log(&path).unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!(back[2].histogram.max(), 300);
        assert!(back.iter().all(|iv| iv.tag.as_deref() == Some("get")));
    }

    #[test]
    fn corrupt_log_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.hlog");
        std::fs::write(&path, "0.000,1.000,2.0,!!!notbase64\n").unwrap();
        assert!(load_interval_log(&path).is_err());
    }
}
