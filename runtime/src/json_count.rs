//! How many values a JSON text holds, counted without decoding it.
//!
//! Decoding is where a body's size turns into memory: every value becomes at least one
//! `serde_json::Value` or serde buffer entry (32 bytes or more, ~150 bytes at the peak with
//! the generated types' `#[serde(flatten)]` maps), while the text may spend two bytes on it
//! (`[0,0,0,...]`). A body's byte limit therefore does not bound the memory its decode takes;
//! a limit on its values does, and this counts them in one pass.
#![warn(clippy::arithmetic_side_effects)]

/// Whether `text` holds more than `limit` JSON values. Counted as the containers opened and
/// the commas between items and members, plus one: an upper bound of the values and members
/// for valid JSON (a member's key is counted with its value), linear for any text.
pub(crate) fn more_values_than(text: &[u8], limit: u64) -> bool {
    // A text cannot hold more values than it has bytes, plus one: short ones are not scanned.
    if u64::try_from(text.len()).is_ok_and(|length| length < limit) {
        return false;
    }
    let mut count: u64 = 1;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in text {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' | b',' => {
                count = count.saturating_add(1);
                if count > limit {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_counted_outside_strings_only() {
        assert!(!more_values_than(b"[0,0,0]", 4));
        assert!(more_values_than(b"[0,0,0]", 3));
        assert!(!more_values_than(br#"{"a":1,"b":[]}"#, 4));
        assert!(more_values_than(br#"{"a":1,"b":[]}"#, 3));
        // Brackets and commas inside strings (and after escaped quotes) are text.
        assert!(!more_values_than(br#"["[,{,\",[,{"]"#, 2));
        assert!(!more_values_than(b"", 0));
    }
}
