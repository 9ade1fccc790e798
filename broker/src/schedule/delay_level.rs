//! [`DelayLevels`]: the `messageDelayLevel` string ("1s 5s 10s ... 2h") parsed into one
//! delay per level. Level `n` (1-based) maps to queue `n - 1` of the schedule topic.

use std::time::Duration;

/// RocketMQ's default `messageDelayLevel`: 18 levels.
pub const MESSAGE_DELAY_LEVEL_DEFAULT: &str =
    "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h";
/// Most levels `messageDelayLevel` may define (one schedule queue each).
pub const DELAY_LEVELS_MAX: usize = 64;
/// Longest delay of one level: 365 days.
pub const DELAY_MS_MAX: u64 = 365 * 24 * 3_600_000;

/// What `messageDelayLevel` accepts (the config error's remark).
pub const DELAY_LEVELS_EXPECTED: &str =
    "space-separated delays like 1s 5m 2h (units ms, s, m, h, d; 1 to 64 levels)";

/// Parsed delay levels; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelayLevels {
    delays_ms: Vec<u64>,
}

impl DelayLevels {
    /// Parses a `messageDelayLevel` value; `Err` says what is accepted.
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let mut delays_ms = Vec::new();
        for token in value.split_whitespace() {
            if delays_ms.len() == DELAY_LEVELS_MAX {
                return Err(DELAY_LEVELS_EXPECTED);
            }
            delays_ms.push(parse_delay_ms(token).ok_or(DELAY_LEVELS_EXPECTED)?);
        }
        if delays_ms.is_empty() {
            return Err(DELAY_LEVELS_EXPECTED);
        }
        Ok(Self { delays_ms })
    }

    /// Number of levels (the highest level).
    pub fn max_level(&self) -> u32 {
        u32::try_from(self.delays_ms.len()).unwrap_or(u32::MAX)
    }

    /// The level a requested one means: `None` for `level <= 0` (no delay), levels above
    /// the highest clamp to it, as in RocketMQ.
    pub fn effective(&self, level: i64) -> Option<u32> {
        if level <= 0 {
            return None;
        }
        let max = self.max_level();
        Some(u32::try_from(level).map_or(max, |l| l.min(max)))
    }

    /// The delay of `level` (1-based); `None` outside `1..=max_level`.
    pub fn delay(&self, level: u32) -> Option<Duration> {
        let index = usize::try_from(level.checked_sub(1)?).ok()?;
        self.delays_ms
            .get(index)
            .map(|ms| Duration::from_millis(*ms))
    }

    /// Levels `1..=max_level`.
    pub fn levels(&self) -> impl Iterator<Item = u32> {
        1..=self.max_level()
    }
}

impl Default for DelayLevels {
    fn default() -> Self {
        let delays_ms = MESSAGE_DELAY_LEVEL_DEFAULT
            .split_whitespace()
            .filter_map(parse_delay_ms)
            .collect();
        Self { delays_ms }
    }
}

/// `"<n><unit>"` with unit ms, s, m, h or d, as milliseconds; positive and at most
/// [`DELAY_MS_MAX`].
fn parse_delay_ms(token: &str) -> Option<u64> {
    let split = token.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = token.split_at(split);
    let unit_ms: u64 = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    let ms = number.parse::<u64>().ok()?.checked_mul(unit_ms)?;
    (1..=DELAY_MS_MAX).contains(&ms).then_some(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_rocketmq_eighteen_levels() {
        let levels = DelayLevels::parse(MESSAGE_DELAY_LEVEL_DEFAULT).expect("parses");
        assert_eq!(levels, DelayLevels::default());
        assert_eq!(levels.max_level(), 18);
        assert_eq!(levels.delay(1), Some(Duration::from_secs(1)));
        assert_eq!(levels.delay(3), Some(Duration::from_secs(10)));
        assert_eq!(levels.delay(18), Some(Duration::from_secs(7200)));
        assert_eq!(levels.delay(0), None);
        assert_eq!(levels.delay(19), None);
    }

    #[test]
    fn every_unit_parses() {
        let levels = DelayLevels::parse(" 250ms\t2s 3m 1h 2d ").expect("parses");
        let ms: Vec<u128> = levels
            .levels()
            .filter_map(|l| levels.delay(l))
            .map(|d| d.as_millis())
            .collect();
        assert_eq!(ms, [250, 2000, 180_000, 3_600_000, 172_800_000]);
    }

    #[test]
    fn bad_input_is_refused() {
        for bad in [
            "",
            "   ",
            "1",
            "s",
            "1x",
            "1 s",
            "-1s",
            "0s",
            "1.5s",
            "1S",
            "99999999999999999999s",
            "366d",
        ] {
            assert!(DelayLevels::parse(bad).is_err(), "{bad:?}");
        }
        assert!(DelayLevels::parse("365d").is_ok());
    }

    #[test]
    fn level_count_limit() {
        let at_max = vec!["1s"; DELAY_LEVELS_MAX].join(" ");
        assert!(DelayLevels::parse(&at_max).is_ok());
        let one_past = vec!["1s"; DELAY_LEVELS_MAX + 1].join(" ");
        assert!(DelayLevels::parse(&one_past).is_err());
    }

    #[test]
    fn levels_clamp_and_zero_means_no_delay() {
        let levels = DelayLevels::parse("1s 2s 3s").expect("parses");
        assert_eq!(levels.effective(0), None);
        assert_eq!(levels.effective(-4), None);
        assert_eq!(levels.effective(2), Some(2));
        assert_eq!(levels.effective(3), Some(3));
        assert_eq!(levels.effective(99), Some(3));
        assert_eq!(levels.effective(i64::MAX), Some(3));
    }
}
