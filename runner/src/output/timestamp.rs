//! UTC timestamps for results (`2024-05-01T12:34:56Z`) and directory names
//! (`20240501-123456`), from jiff.

use std::time::SystemTime;

/// `t` as RFC 3339 UTC with second precision (`2024-05-01T12:34:56Z`).
pub fn utc_timestamp(t: SystemTime) -> String {
    utc_seconds(t).strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `t` as a compact UTC stamp for directory names (`20240501-123456`).
pub fn dir_timestamp(t: SystemTime) -> String {
    utc_seconds(t).strftime("%Y%m%d-%H%M%S").to_string()
}

/// `t` truncated to whole seconds (a time outside jiff's range, years
/// -9999..=9999, becomes the epoch).
fn utc_seconds(t: SystemTime) -> jiff::Timestamp {
    jiff::Timestamp::try_from(t)
        .and_then(|ts| jiff::Timestamp::from_second(ts.as_second()))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_match_known_dates() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(utc_timestamp(t), "2023-11-14T22:13:20Z");
        assert_eq!(dir_timestamp(t), "20231114-221320");
        assert_eq!(utc_timestamp(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        // Leap day.
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(utc_timestamp(t), "2000-02-29T00:00:00Z");
    }
}
