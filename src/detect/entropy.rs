//! Shannon entropy, the "does this look random" check for rules whose shape alone is common.

/// Bits per byte of `data`'s byte distribution (0 for empty input, at most 8).
pub fn shannon_entropy(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in data {
        counts[b as usize] += 1;
    }
    let len = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::shannon_entropy;

    #[test]
    fn repeated_byte_has_no_entropy() {
        assert_eq!(shannon_entropy(b"aaaaaaaa"), 0.0);
    }

    #[test]
    fn two_equally_likely_bytes_have_one_bit() {
        assert!((shannon_entropy(b"abababab") - 1.0).abs() < 1e-9);
    }

    #[test]
    fn random_looking_text_beats_words() {
        assert!(shannon_entropy(b"q8Zr2LpX0vKs9TnW4yBd") > shannon_entropy(b"passwordpassword1234"));
    }
}
