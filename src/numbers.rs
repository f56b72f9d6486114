//! Numbers as people read them in vft's messages and tables.

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `low` alone when the bounds agree, else `low–high`: `1,234–5,678`.
pub fn thousands_range(low: u64, high: u64) -> String {
    if high > low {
        format!("{}–{}", thousands(low), thousands(high))
    } else {
        thousands(low)
    }
}

/// Dollars to the cent, a range when the bounds differ by a cent or more: `$0.65–$3.68`.
pub fn dollars_range(low: f64, high: f64) -> String {
    let (low, high) = (format!("${low:.2}"), format!("${high:.2}"));
    if high == low {
        low
    } else {
        format!("{low}–{high}")
    }
}

/// `n` and the noun, in the singular for one: `1 example`, `1,016 examples`.
pub fn count(n: u64, singular: &str, plural: &str) -> String {
    format!(
        "{} {}",
        thousands(n),
        if n == 1 { singular } else { plural }
    )
}

/// Bytes as `1.23 GB` (decimal units, as the platform's limits are written).
pub fn human_bytes(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // two decimals of a file size
    let value = bytes as f64;
    match bytes {
        0..1_000_000 => format!("{bytes} bytes"),
        1_000_000..1_000_000_000 => format!("{:.1} MB", value / 1e6),
        _ => format!("{:.2} GB", value / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_digits_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(10_485_760), "10,485,760");
    }

    #[test]
    fn ranges_collapse_when_the_bounds_agree() {
        assert_eq!(thousands_range(1234, 1234), "1,234");
        assert_eq!(thousands_range(1234, 5678), "1,234–5,678");
        assert_eq!(dollars_range(0.65, 0.651), "$0.65");
        assert_eq!(dollars_range(0.65, 3.68), "$0.65–$3.68");
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(1, "example", "examples"), "1 example");
        assert_eq!(count(0, "example", "examples"), "0 examples");
        assert_eq!(count(1016, "example", "examples"), "1,016 examples");
    }
}
