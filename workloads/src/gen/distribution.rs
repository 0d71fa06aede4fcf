//! Key-choice distributions as written in suites: [`Distribution`], parsed
//! from a name (`uniform`, `zipf`, ...) or a one-key map with parameters
//! (`{zipf: {theta: 0.99}}`, or for a single-parameter distribution the
//! short form `{zipf: 0.99}`, `{latest: 0.9}`, `{exponential: 2.0}`); the
//! sampler is `chooser::KeyChooser`.
//!
//! Invariants: parameters are range-checked at parse time (errors point at
//! the parameter); omitted parameters take YCSB's defaults. Meanings
//! (n = key-space size):
//! - uniform: every key equally likely.
//! - zipf{theta, scrambled}: rank r (1 = hottest) has weight 1/r^theta
//!   (rejection-inversion, `zipf.rs`). Unscrambled, the rank is drawn over
//!   the n keys and rank r is key r-1, so hot keys are adjacent. Scrambled
//!   (the default) is YCSB's `zipfian` (`ScrambledZipfianGenerator`): the
//!   rank is drawn over 10^10 items whatever n is, and key =
//!   |FNV-64(rank - 1)| mod n, spreading hot keys over the key space. Every
//!   key is reachable and the hottest key gets 1/zeta(10^10, theta) of the
//!   accesses (3.78% at theta 0.99, as YCSB), not 1/zeta(n, theta).
//! - latest{theta}: zipf over recency: key n-1 (the most recently inserted
//!   with sequential loading or inserts) is hottest, n-2 next, ...
//! - hotspot{fraction, probability}: the first `fraction` of keys receives
//!   `probability` of accesses, uniformly within each part (YCSB hotspot).
//! - sequential: n0, n0+1, ... wrapping at n (n0 is the thread's start).
//! - exponential{lambda}: key = floor(x * n) with x drawn from an
//!   exponential of rate `lambda` truncated to [0, 1): low keys are hot.
//!   The default lambda (3.4952) is YCSB's (the untruncated exponential has
//!   its 95th percentile at 85.71% of the keys; YCSB also redraws values
//!   outside the key space, which is this truncation).

use std::fmt;
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};

use crate::suite::error::field_error;

/// Default zipf exponent (YCSB's zipfian constant).
pub const DEFAULT_THETA: f64 = 0.99;
/// Default exponential rate: YCSB's (95th percentile at 85.71% of the keys, untruncated).
pub const DEFAULT_LAMBDA: f64 = 3.4952;
/// Default hotspot: 20% of keys get 80% of accesses (YCSB defaults).
pub const DEFAULT_HOT_FRACTION: f64 = 0.2;
/// Default share of accesses that go to the hotspot.
pub const DEFAULT_HOT_PROBABILITY: f64 = 0.8;

/// Which key a phase touches next. See the module doc for exact meanings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Distribution {
    /// Every key equally likely.
    #[default]
    Uniform,
    /// Power law over key rank; `scrambled` hashes ranks over the key space.
    Zipf {
        /// Exponent (skew): 0.99 in YCSB; larger is more skewed.
        theta: f64,
        /// Hash ranks with FNV-64 so hot keys are spread out (YCSB default).
        scrambled: bool,
    },
    /// Zipf over recency: the most recently inserted keys are hottest.
    Latest {
        /// Exponent of the zipf over recency rank.
        theta: f64,
    },
    /// The first `fraction` of keys receives `probability` of accesses.
    Hotspot {
        /// Share of the key space that is hot, in (0, 1].
        fraction: f64,
        /// Share of accesses that go to the hot keys, in [0, 1].
        probability: f64,
    },
    /// Consecutive keys from the thread's start, wrapping around.
    Sequential,
    /// Truncated exponential over the key space: low keys are hot.
    Exponential {
        /// Rate, in units of the whole key space.
        lambda: f64,
    },
}

/// The names accepted in YAML, for errors and suggestions.
pub const DISTRIBUTION_NAMES: &[&str] = &[
    "uniform",
    "zipf",
    "latest",
    "hotspot",
    "sequential",
    "exponential",
];

impl fmt::Display for Distribution {
    /// The YAML spelling, e.g. `uniform` or `zipf(theta=0.99, scrambled)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Distribution::Uniform => f.write_str("uniform"),
            Distribution::Zipf {
                theta,
                scrambled: true,
            } => write!(f, "zipf(theta={theta}, scrambled)"),
            Distribution::Zipf {
                theta,
                scrambled: false,
            } => write!(f, "zipf(theta={theta})"),
            Distribution::Latest { theta } => write!(f, "latest(theta={theta})"),
            Distribution::Hotspot {
                fraction,
                probability,
            } => {
                write!(f, "hotspot(fraction={fraction}, probability={probability})")
            }
            Distribution::Sequential => f.write_str("sequential"),
            Distribution::Exponential { lambda } => write!(f, "exponential(lambda={lambda})"),
        }
    }
}

/// A distribution's parameter map, which may also be written as the value
/// of its single parameter alone (`zipf: 0.99` = `zipf: {theta: 0.99}`).
trait ShortForm: Sized {
    /// The parameters with the one parameter set to `v`; `None` when the
    /// distribution has no single parameter (the message says what to write).
    fn from_short(v: f64) -> Result<Self, &'static str>;
}

/// The value after a distribution's name: nothing, a parameter map, or the
/// short form (a number).
struct Params<P>(Option<P>);

impl<'de, P: Deserialize<'de> + ShortForm> Deserialize<'de> for Params<P> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<P>(PhantomData<P>);
        impl<'de, P: Deserialize<'de> + ShortForm> Visitor<'de> for V<P> {
            type Value = Params<P>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a parameter map like {theta: 0.99}, or a single parameter's value like 0.99")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Params<P>, E> {
                Ok(Params(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Params<P>, E> {
                Ok(Params(None))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Params<P>, E> {
                P::from_short(v).map(|p| Params(Some(p))).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Params<P>, E> {
                self.visit_f64(v as f64)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Params<P>, E> {
                self.visit_f64(v as f64)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Params<P>, A::Error> {
                P::deserialize(MapAccessDeserializer::new(map)).map(|p| Params(Some(p)))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

impl ShortForm for NoParams {
    fn from_short(_: f64) -> Result<Self, &'static str> {
        Err("this distribution takes no parameters; write its name alone")
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ZipfParams {
    theta: Option<f64>,
    scrambled: Option<bool>,
}

impl ShortForm for ZipfParams {
    fn from_short(v: f64) -> Result<Self, &'static str> {
        Ok(ZipfParams {
            theta: Some(v),
            scrambled: None,
        })
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct LatestParams {
    theta: Option<f64>,
}

impl ShortForm for LatestParams {
    fn from_short(v: f64) -> Result<Self, &'static str> {
        Ok(LatestParams { theta: Some(v) })
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct HotspotParams {
    fraction: Option<f64>,
    probability: Option<f64>,
}

impl ShortForm for HotspotParams {
    fn from_short(_: f64) -> Result<Self, &'static str> {
        Err("hotspot takes two parameters; write e.g. {hotspot: {fraction: 0.2, probability: 0.8}}")
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ExponentialParams {
    lambda: Option<f64>,
}

impl ShortForm for ExponentialParams {
    fn from_short(v: f64) -> Result<Self, &'static str> {
        Ok(ExponentialParams { lambda: Some(v) })
    }
}

fn check_theta<E: de::Error>(theta: f64) -> Result<f64, E> {
    if theta.is_finite() && theta > 0.0 && theta <= 10.0 {
        Ok(theta)
    } else {
        Err(field_error(
            "theta",
            format_args!("theta must be in (0, 10], found {theta}"),
        ))
    }
}

fn by_name<E: de::Error>(name: &str) -> Result<Distribution, E> {
    Ok(match name {
        "uniform" => Distribution::Uniform,
        "zipf" => Distribution::Zipf {
            theta: DEFAULT_THETA,
            scrambled: true,
        },
        "latest" => Distribution::Latest { theta: DEFAULT_THETA },
        "hotspot" => Distribution::Hotspot {
            fraction: DEFAULT_HOT_FRACTION,
            probability: DEFAULT_HOT_PROBABILITY,
        },
        "sequential" => Distribution::Sequential,
        "exponential" => Distribution::Exponential {
            lambda: DEFAULT_LAMBDA,
        },
        other => return Err(E::unknown_variant(other, DISTRIBUTION_NAMES)),
    })
}

struct DistributionVisitor;

impl<'de> Visitor<'de> for DistributionVisitor {
    type Value = Distribution;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a distribution name (uniform, zipf, latest, hotspot, sequential, exponential) or a one-key map like {zipf: {theta: 0.99}}")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Distribution, E> {
        by_name(v)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Distribution, A::Error> {
        let Some(name) = map.next_key::<String>()? else {
            return Err(de::Error::custom(
                "empty distribution map; expected e.g. {zipf: {theta: 0.99}}",
            ));
        };
        let dist = match name.as_str() {
            "uniform" | "sequential" => {
                map.next_value::<Params<NoParams>>()?;
                by_name(&name)?
            }
            "zipf" => {
                let p = map.next_value::<Params<ZipfParams>>()?.0.unwrap_or(ZipfParams {
                    theta: None,
                    scrambled: None,
                });
                Distribution::Zipf {
                    theta: check_theta(p.theta.unwrap_or(DEFAULT_THETA))?,
                    scrambled: p.scrambled.unwrap_or(true),
                }
            }
            "latest" => {
                let p = map
                    .next_value::<Params<LatestParams>>()?
                    .0
                    .unwrap_or(LatestParams { theta: None });
                Distribution::Latest {
                    theta: check_theta(p.theta.unwrap_or(DEFAULT_THETA))?,
                }
            }
            "hotspot" => {
                let p = map
                    .next_value::<Params<HotspotParams>>()?
                    .0
                    .unwrap_or(HotspotParams {
                        fraction: None,
                        probability: None,
                    });
                let fraction = p.fraction.unwrap_or(DEFAULT_HOT_FRACTION);
                let probability = p.probability.unwrap_or(DEFAULT_HOT_PROBABILITY);
                if !(fraction > 0.0 && fraction <= 1.0) {
                    return Err(field_error(
                        "fraction",
                        format_args!("hotspot fraction must be in (0, 1], found {fraction}"),
                    ));
                }
                if !(0.0..=1.0).contains(&probability) {
                    return Err(field_error(
                        "probability",
                        format_args!("hotspot probability must be in [0, 1], found {probability}"),
                    ));
                }
                Distribution::Hotspot {
                    fraction,
                    probability,
                }
            }
            "exponential" => {
                let p = map
                    .next_value::<Params<ExponentialParams>>()?
                    .0
                    .unwrap_or(ExponentialParams { lambda: None });
                let lambda = p.lambda.unwrap_or(DEFAULT_LAMBDA);
                if !(lambda.is_finite() && lambda > 0.0 && lambda <= 700.0) {
                    return Err(field_error(
                        "lambda",
                        format_args!("lambda must be in (0, 700], found {lambda}"),
                    ));
                }
                Distribution::Exponential { lambda }
            }
            other => return Err(de::Error::unknown_variant(other, DISTRIBUTION_NAMES)),
        };
        if let Some(extra) = map.next_key::<String>()? {
            return Err(de::Error::custom(format!(
                "a distribution map has exactly one key (the distribution's name), found a second key `{extra}`"
            )));
        }
        Ok(dist)
    }
}

impl<'de> Deserialize<'de> for Distribution {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DistributionVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<Distribution, String> {
        serde_norway::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn displays_like_yaml() {
        assert_eq!(Distribution::Uniform.to_string(), "uniform");
        assert_eq!(
            Distribution::Zipf {
                theta: 0.99,
                scrambled: true
            }
            .to_string(),
            "zipf(theta=0.99, scrambled)"
        );
        assert_eq!(
            Distribution::Hotspot {
                fraction: 0.1,
                probability: 0.9
            }
            .to_string(),
            "hotspot(fraction=0.1, probability=0.9)"
        );
    }

    #[test]
    fn single_parameter_distributions_accept_the_short_form() {
        assert_eq!(
            parse("{zipf: 0.8}"),
            Ok(Distribution::Zipf {
                theta: 0.8,
                scrambled: true
            })
        );
        assert_eq!(parse("zipf: 0.99"), parse("{zipf: {theta: 0.99}}"));
        assert_eq!(parse("{latest: 0.5}"), Ok(Distribution::Latest { theta: 0.5 }));
        assert_eq!(
            parse("exponential: 2.0"),
            Ok(Distribution::Exponential { lambda: 2.0 })
        );
        assert_eq!(
            parse("{exponential: 3}"),
            Ok(Distribution::Exponential { lambda: 3.0 })
        );
        // The short form is range-checked like the long one.
        assert!(
            parse("{zipf: 0}")
                .unwrap_err()
                .contains("theta must be in (0, 10], found 0")
        );
        assert!(parse("{exponential: -1}").unwrap_err().contains("lambda must be"));
        // Not for distributions with two or no parameters.
        assert!(
            parse("{hotspot: 0.2}")
                .unwrap_err()
                .contains("hotspot takes two parameters")
        );
        assert!(parse("{uniform: 1}").unwrap_err().contains("takes no parameters"));
        assert!(parse("{zipf: fast}").is_err());
    }

    #[test]
    fn parses_names_and_maps() {
        assert_eq!(parse("uniform"), Ok(Distribution::Uniform));
        assert_eq!(
            parse("zipf"),
            Ok(Distribution::Zipf {
                theta: 0.99,
                scrambled: true
            })
        );
        assert_eq!(
            parse("{zipf: {theta: 0.8, scrambled: false}}"),
            Ok(Distribution::Zipf {
                theta: 0.8,
                scrambled: false
            })
        );
        assert_eq!(
            parse("{hotspot: {fraction: 0.1, probability: 0.9}}"),
            Ok(Distribution::Hotspot {
                fraction: 0.1,
                probability: 0.9
            })
        );
        assert_eq!(parse("{latest: {}}"), Ok(Distribution::Latest { theta: 0.99 }));
        assert_eq!(
            parse("{exponential: {lambda: 2}}"),
            Ok(Distribution::Exponential { lambda: 2.0 })
        );
        assert_eq!(parse("{sequential: {}}"), Ok(Distribution::Sequential));
        assert!(parse("zipff").unwrap_err().contains("unknown variant `zipff`"));
        assert!(
            parse("{zipf: {theta: -1}}")
                .unwrap_err()
                .contains("theta must be")
        );
        assert!(
            parse("{zipf: {tehta: 1}}")
                .unwrap_err()
                .contains("unknown field `tehta`")
        );
        assert!(
            parse("{hotspot: {fraction: 2}}")
                .unwrap_err()
                .contains("fraction must be")
        );
        assert!(
            parse("{zipf: {}, uniform: {}}")
                .unwrap_err()
                .contains("exactly one key")
        );
        assert!(parse("{}").is_err());
        assert!(parse("[1]").is_err());
    }
}
