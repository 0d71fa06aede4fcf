//! The one table of accepted and rejected spellings, per unit. The CLI, the
//! suite files and the engine options all parse through these functions, so
//! this is the only place the spellings are tested.

use std::time::Duration;

use lsmlab_units::{
    Count, HumanDuration, PositiveInt, Rate, Size, format_duration, parse_count, parse_duration, parse_rate,
    parse_size,
};

/// (text, value) pairs every parser must accept.
const COUNTS_ACCEPTED: &[(&str, u64)] = &[
    ("1000", 1000),
    ("2M", 2_000_000),
    ("50k", 50_000),
    ("50K", 50_000),
    ("1.5M", 1_500_000),
    ("2_000", 2000),
    ("1G", 1_000_000_000),
    ("1B", 1_000_000_000),
    ("2T", 2_000_000_000_000),
    (" 7 ", 7),
    ("0", 0),
    ("18446744073709551615", u64::MAX),
];

/// (text, part of the error message).
const COUNTS_REJECTED: &[(&str, &str)] = &[
    (
        "2X",
        "unknown suffix \"X\" in \"2X\"; expected a count with an optional suffix k, M, G or T",
    ),
    ("1.5", "a count must be a whole number, found \"1.5\""),
    ("", "expected a count like 1000"),
    ("M", "expected a count like 1000"),
    ("1.2.3", "expected a count like 1000"),
    ("-1", "expected a count like 1000"),
    ("1e6", "unknown suffix \"e6\""),
    (
        "99999999999999999999T",
        "count \"99999999999999999999T\" is out of range",
    ),
    ("18446744073709551616", "is out of range"),
];

const RATES_ACCEPTED: &[(&str, f64)] = &[
    ("50000", 50_000.0),
    ("50k", 50_000.0),
    ("1.5M", 1_500_000.0),
    ("0.5", 0.5),
];

const RATES_REJECTED: &[(&str, &str)] = &[
    (
        "2X",
        "unknown suffix \"X\" in \"2X\"; expected a rate in ops/s with an optional suffix k, M, G or T",
    ),
    ("-1", "expected a rate in ops/s like 1000"),
    ("fast", "expected a rate in ops/s like 1000"),
];

const SIZES_ACCEPTED: &[(&str, u64)] = &[
    ("4096", 4096),
    ("64MiB", 64 << 20),
    ("64mib", 64 << 20),
    ("4 KiB", 4096),
    ("1GB", 1_000_000_000),
    ("512k", 512 << 10),
    ("100B", 100),
    ("1.5k", 1536),
    ("1.5KiB", 1536),
    ("4.35MB", 4_350_000),
    ("2TiB", 2 << 40),
    ("1_024", 1024),
];

const SIZES_REJECTED: &[(&str, &str)] = &[
    ("1.3B", "size \"1.3B\" is not a whole number of bytes"),
    ("0.3B", "size \"0.3B\" is not a whole number of bytes"),
    ("1.1KiB", "size \"1.1KiB\" is not a whole number of bytes"),
    (
        "64XB",
        "unknown size unit \"XB\" in \"64XB\"; expected B, KiB, MiB, GiB, TiB, KB, MB, GB or TB",
    ),
    ("12 parsecs", "unknown size unit \"parsecs\""),
    (
        "-5",
        "expected a size like 4096, \"64MiB\" or \"1GB\", found \"-5\"",
    ),
    ("lots", "expected a size like 4096"),
    ("16EiB", "unknown size unit \"EiB\""),
    ("99999999TiB", "size \"99999999TiB\" is out of range"),
];

const DURATIONS_ACCEPTED: &[(&str, Duration)] = &[
    ("30s", Duration::from_secs(30)),
    ("30 s", Duration::from_secs(30)),
    ("30sec", Duration::from_secs(30)),
    ("500ms", Duration::from_millis(500)),
    ("2m", Duration::from_secs(120)),
    ("2min", Duration::from_secs(120)),
    ("1h", Duration::from_secs(3600)),
    ("3h", Duration::from_secs(3 * 3600)),
    ("1m30s", Duration::from_secs(90)),
    ("1m 30s", Duration::from_secs(90)),
    ("1.5s", Duration::from_millis(1500)),
    ("250us", Duration::from_micros(250)),
    ("250µs", Duration::from_micros(250)),
    ("10ns", Duration::from_nanos(10)),
    ("1.000000001s", Duration::from_nanos(1_000_000_001)),
    ("0s", Duration::ZERO),
];

const DURATIONS_REJECTED: &[(&str, &str)] = &[
    (
        "30",
        "duration \"30\" has no unit; write e.g. \"30s\" (units: ns, us, ms, s, m, h)",
    ),
    ("2", "has no unit"),
    ("1m30", "has no unit"),
    (
        "30 parsecs",
        "unknown duration unit \"parsecs\" in \"30 parsecs\"; expected ns, us, ms, s, m or h",
    ),
    ("3y", "unknown duration unit \"y\""),
    ("0.5ns", "duration \"0.5ns\" is not a whole number of nanoseconds"),
    ("", "expected a duration like \"30s\""),
    ("s", "expected a duration like \"30s\""),
    ("fast", "expected a duration like \"30s\""),
    ("-1s", "expected a duration like \"30s\""),
    ("1e300h", "unknown duration unit \"e\""),
    ("999999999h", "is out of range"),
];

fn check_table<T: PartialEq + std::fmt::Debug>(
    unit: &str,
    parse: impl Fn(&str) -> Result<T, lsmlab_units::ParseError>,
    accepted: &[(&str, T)],
    rejected: &[(&str, &str)],
) {
    for (text, want) in accepted {
        assert_eq!(parse(text).as_ref(), Ok(want), "{unit} {text:?}");
    }
    for (text, fragment) in rejected {
        match parse(text) {
            Ok(v) => panic!("{unit} {text:?} parsed as {v:?} but must be rejected"),
            Err(e) => assert!(e.to_string().contains(fragment), "{unit} {text:?}: {e}"),
        }
    }
}

#[test]
fn counts_accept_decimal_suffixes_and_reject_fractions() {
    check_table("count", parse_count, COUNTS_ACCEPTED, COUNTS_REJECTED);
}

#[test]
fn rates_accept_fractions_and_decimal_suffixes() {
    check_table("rate", parse_rate, RATES_ACCEPTED, RATES_REJECTED);
}

#[test]
fn sizes_accept_binary_and_decimal_units_and_reject_inexact_bytes() {
    check_table("size", parse_size, SIZES_ACCEPTED, SIZES_REJECTED);
}

#[test]
fn durations_need_a_unit_and_whole_nanoseconds() {
    check_table("duration", parse_duration, DURATIONS_ACCEPTED, DURATIONS_REJECTED);
}

#[test]
fn formatted_durations_parse_back_to_the_same_value() {
    for text in [
        "30s", "500ms", "2m", "1m30s", "1h", "2h5m1s", "250us", "10ns", "1.5s", "0s",
    ] {
        let d = parse_duration(text).unwrap();
        assert_eq!(format_duration(d), text);
    }
    for d in [
        Duration::from_nanos(1_000_000_001),
        Duration::from_nanos(123_456_789_012),
    ] {
        assert_eq!(parse_duration(&format_duration(d)), Ok(d));
    }
}

#[test]
fn serde_wrappers_read_numbers_and_strings_through_the_same_parsers() {
    let c: Count = serde_norway::from_str("2M").unwrap();
    assert_eq!(c, Count(2_000_000));
    let c: Count = serde_norway::from_str("1500").unwrap();
    assert_eq!(c, Count(1500));
    let s: Size = serde_norway::from_str("8MiB").unwrap();
    assert_eq!(s, Size(8 << 20));
    let d: HumanDuration = serde_norway::from_str("500ms").unwrap();
    assert_eq!(d.0, Duration::from_millis(500));
    let r: Rate = serde_norway::from_str("50k").unwrap();
    assert_eq!(r.0, 50_000.0);
    let t: PositiveInt = serde_norway::from_str("4").unwrap();
    assert_eq!(t, PositiveInt(4));
    let msg = |e: serde_norway::Error| e.to_string();
    assert!(msg(serde_norway::from_str::<PositiveInt>("-1").unwrap_err()).contains("negative number -1"));
    assert!(serde_norway::from_str::<PositiveInt>("0").is_err());
    assert!(
        msg(serde_norway::from_str::<HumanDuration>("30").unwrap_err()).contains("duration 30 has no unit")
    );
    assert!(serde_norway::from_str::<Rate>("0").is_err());
    assert!(serde_norway::from_str::<Count>("[1]").is_err());
    assert!(msg(serde_norway::from_str::<Size>("1.5").unwrap_err()).contains("expected a whole number"));
    assert!(msg(serde_norway::from_str::<Size>("-5").unwrap_err()).contains("negative number -5"));
}

#[derive(serde::Deserialize, serde::Serialize, Debug, PartialEq)]
struct Fields {
    #[serde(with = "lsmlab_units::size_serde")]
    wide: u64,
    #[serde(with = "lsmlab_units::size_serde")]
    narrow: u16,
}

#[test]
fn size_fields_read_strings_and_write_integers() {
    let f: Fields = serde_json::from_str(r#"{"wide": "1.5KiB", "narrow": 512}"#).unwrap();
    assert_eq!(
        f,
        Fields {
            wide: 1536,
            narrow: 512
        }
    );
    assert_eq!(
        serde_json::to_string(&f).unwrap(),
        r#"{"wide":1536,"narrow":512}"#
    );
    let e = serde_json::from_str::<Fields>(r#"{"wide": 1, "narrow": "1MiB"}"#).unwrap_err();
    assert!(
        e.to_string()
            .contains("size 1048576 is too large for this option"),
        "{e}"
    );
    let e = serde_json::from_str::<Fields>(r#"{"wide": "1.3B", "narrow": 1}"#).unwrap_err();
    assert!(e.to_string().contains("not a whole number of bytes"), "{e}");
}
