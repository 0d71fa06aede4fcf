//! Exact decimal numbers as written (`1.5`, `2_000`), so that scaling by a
//! unit never rounds: `1.5KiB` is exactly 1536, `1.3B` is not whole.

/// A non-negative decimal `mantissa / 10^scale`, trailing fraction zeros
/// removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decimal {
    mantissa: u128,
    scale: u32,
}

/// What [`Decimal::times`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scaled {
    /// The exact whole result.
    Whole(u128),
    /// The result has a fractional part.
    Fraction,
    /// The result does not fit in 128 bits.
    Overflow,
}

impl Decimal {
    /// Parses digits with at most one `.` and any `_` separators:
    /// `Ok(None)` when there is no digit or another character appears,
    /// `Err(())` when the digits do not fit in 128 bits.
    pub(crate) fn parse(text: &str) -> Result<Option<Decimal>, ()> {
        let (mut mantissa, mut scale) = (0u128, 0u32);
        let (mut dot, mut digits) = (false, false);
        for c in text.chars() {
            match c {
                '0'..='9' => {
                    mantissa = mantissa
                        .checked_mul(10)
                        .and_then(|m| m.checked_add(u128::from(c as u8 - b'0')))
                        .ok_or(())?;
                    scale += u32::from(dot);
                    digits = true;
                }
                '_' => {}
                '.' if !dot => dot = true,
                _ => return Ok(None),
            }
        }
        while scale > 0 && mantissa % 10 == 0 {
            mantissa /= 10;
            scale -= 1;
        }
        Ok(digits.then_some(Decimal { mantissa, scale }))
    }

    /// `self * unit`, exactly.
    pub(crate) fn times(self, unit: u128) -> Scaled {
        let Some(product) = self.mantissa.checked_mul(unit) else {
            return Scaled::Overflow;
        };
        match 10u128.checked_pow(self.scale) {
            Some(div) if product % div == 0 => Scaled::Whole(product / div),
            // A divisor past 128 bits leaves a fraction for any product that fits.
            _ => Scaled::Fraction,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).unwrap().unwrap()
    }

    #[test]
    fn fractions_scale_exactly_or_not_at_all() {
        assert_eq!(d("1.5").times(1024), Scaled::Whole(1536));
        assert_eq!(d("4.35").times(1_000_000), Scaled::Whole(4_350_000));
        assert_eq!(d("1.50").times(2), Scaled::Whole(3));
        assert_eq!(d("1.3").times(1), Scaled::Fraction);
        assert_eq!(d("2_000").times(1), Scaled::Whole(2000));
        assert_eq!(d("3.").times(1), Scaled::Whole(3));
        assert_eq!(d(".5").times(2), Scaled::Whole(1));
        assert_eq!(d("1").times(u128::MAX), Scaled::Whole(u128::MAX));
        assert_eq!(d("2").times(u128::MAX), Scaled::Overflow);
        assert_eq!(Decimal::parse("1.2.3"), Ok(None));
        assert_eq!(Decimal::parse("_"), Ok(None));
        assert_eq!(Decimal::parse("-1"), Ok(None));
        assert_eq!(Decimal::parse(&"9".repeat(40)), Err(()));
    }
}
