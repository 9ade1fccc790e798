//! Index file names: the creation time as `yyyyMMddHHmmssSSS` (UTC), 17 digits.
//!
//! Names sort in creation order, which is the order queries and expiry walk the files.
//! The calendar conversion is the proleptic Gregorian civil-from-days algorithm, so no
//! date library is needed.

/// Digits in an index file name.
pub const INDEX_FILE_NAME_LEN: usize = 17;

/// Latest time a name can hold: 9999-12-31 23:59:59.999 UTC, in ms since the epoch.
pub(crate) const NAME_MS_MAX: i64 = 253_402_300_799_999;

const MS_PER_DAY: i64 = 86_400_000;

/// The file name for `ms` since the Unix epoch (clamped to years 1970..=9999).
pub fn index_file_name(ms: i64) -> String {
    let ms = ms.clamp(0, NAME_MS_MAX);
    let (y, mo, d) = civil_from_days(ms.div_euclid(MS_PER_DAY));
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let (h, mi, s, milli) = (
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    );
    format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}{milli:03}")
}

/// The time an index file name stands for, in ms since the epoch; `None` unless the name
/// is 17 digits forming a valid date and time.
pub fn parse_index_file_name(name: &str) -> Option<i64> {
    if name.len() != INDEX_FILE_NAME_LEN || !name.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |range: std::ops::Range<usize>| name.get(range)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (h, mi, s, milli) = (num(8..10)?, num(10..12)?, num(12..14)?, num(14..17)?);
    let valid = (1..=12).contains(&mo)
        && (1..=days_in_month(y, mo)).contains(&d)
        && h < 24
        && mi < 60
        && s < 60;
    if !valid {
        return None;
    }
    let ms = days_from_civil(y, mo, d) * MS_PER_DAY + ((h * 60 + mi) * 60 + s) * 1000 + milli;
    (0..=NAME_MS_MAX).contains(&ms).then_some(ms)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// (year, month, day) of the day `z` days after 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // 0..=365, from March 1
    let mp = (5 * doy + 2) / 153; // month from March, 0..=11
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Days from 1970-01-01 to (year, month, day).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = y - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(index_file_name(0), "19700101000000000");
        // 2024-02-29T12:34:56.789Z (a leap day), checked with `date -u -d @1709210096`.
        assert_eq!(index_file_name(1_709_210_096_789), "20240229123456789");
        // 2000-03-01T00:00:00.000Z: the day after a leap day in a 400-year leap year.
        assert_eq!(index_file_name(951_868_800_000), "20000301000000000");
        assert_eq!(index_file_name(NAME_MS_MAX), "99991231235959999");
        assert_eq!(index_file_name(NAME_MS_MAX + 1), "99991231235959999");
        assert_eq!(index_file_name(-5), "19700101000000000");
    }

    #[test]
    fn names_round_trip_and_sort_by_time() {
        let mut previous = String::new();
        let mut ms = 0i64;
        while ms < NAME_MS_MAX {
            let name = index_file_name(ms);
            assert_eq!(parse_index_file_name(&name), Some(ms), "{name}");
            assert!(name > previous, "{name} after {previous}");
            previous = name;
            ms += 9_876_543_210_987; // ~114 years: crosses leap rules and centuries
        }
    }

    #[test]
    fn bad_names() {
        for bad in [
            "2024022912345678",   // 16 digits
            "202402291234567890", // 18 digits
            "2024022912345678x",  // not a digit
            "20230229000000000",  // no leap day in 2023
            "20241301000000000",  // month 13
            "20240100000000000",  // day 0
            "20240101240000000",  // hour 24
            "19691231235959999",  // before the epoch
        ] {
            assert_eq!(parse_index_file_name(bad), None, "{bad}");
        }
        assert!(parse_index_file_name("20000229235959999").is_some());
    }
}
