//! Timestamps that decode both RFC 3339 and the offset-without-colon form.
//!
//! Some APIs (Timekit's webhooks and some responses) send `2016-11-24T13:34:54+0100`: ISO 8601,
//! but not RFC 3339, whose offsets need a colon. Generated code uses [`LenientDateTime`] where
//! the spec marks a timestamp `x-lenient-date-time: true`; it always serialises as RFC 3339.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A timestamp with its offset, read from RFC 3339 (`2016-11-24T13:34:54+01:00`,
/// `...Z`) or from the same with a colon-less offset (`2016-11-24T13:34:54+0100`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LenientDateTime(pub DateTime<FixedOffset>);

/// A string that is neither an RFC 3339 timestamp nor one with a colon-less offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a timestamp (expected RFC 3339 such as 2016-11-24T13:34:54+01:00, or an offset without colon such as +0100)")]
pub struct InvalidDateTime {
    /// The rejected text.
    pub value: String,
}

impl LenientDateTime {
    /// The timestamp as chrono's type.
    pub fn into_inner(self) -> DateTime<FixedOffset> {
        self.0
    }
}

impl FromStr for LenientDateTime {
    type Err = InvalidDateTime;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        DateTime::parse_from_rfc3339(value)
            // `%z` reads `+0100` (and `+01:00`); `%.f` takes optional fractional seconds.
            .or_else(|_| DateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f%z"))
            .map(LenientDateTime)
            .map_err(|_| InvalidDateTime {
                value: value.to_owned(),
            })
    }
}

impl fmt::Display for LenientDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339())
    }
}

impl Deref for LenientDateTime {
    type Target = DateTime<FixedOffset>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl From<DateTime<FixedOffset>> for LenientDateTime {
    fn from(value: DateTime<FixedOffset>) -> Self {
        LenientDateTime(value)
    }
}

impl From<LenientDateTime> for DateTime<FixedOffset> {
    fn from(value: LenientDateTime) -> Self {
        value.0
    }
}

impl Serialize for LenientDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for LenientDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(json: &str) -> Result<LenientDateTime, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn colon_less_offset_and_rfc3339_are_the_same_instant() {
        let colon_less = decode(r#""2016-11-24T13:34:54+0100""#).unwrap();
        let rfc3339 = decode(r#""2016-11-24T13:34:54+01:00""#).unwrap();
        assert_eq!(colon_less, rfc3339);
        assert_eq!(colon_less.offset().local_minus_utc(), 3600);
        assert_eq!(colon_less.to_string(), "2016-11-24T13:34:54+01:00");
    }

    #[test]
    fn utc_and_fractions_decode() {
        let zulu = decode(r#""2024-04-01T07:00:00Z""#).unwrap();
        assert_eq!(zulu.offset().local_minus_utc(), 0);
        let fraction = decode(r#""2024-04-01T07:00:00.250-0330""#).unwrap();
        assert_eq!(fraction.timestamp_subsec_millis(), 250);
        assert_eq!(fraction.offset().local_minus_utc(), -(3 * 3600 + 30 * 60));
    }

    #[test]
    fn serialises_as_rfc3339() {
        let value = decode(r#""2016-11-24T13:34:54+0100""#).unwrap();
        assert_eq!(serde_json::to_string(&value).unwrap(), r#""2016-11-24T13:34:54+01:00""#);
    }

    #[test]
    fn garbage_and_missing_offsets_are_named_in_the_error() {
        for bad in ["yesterday", "2016-11-24T13:34:54", "2016-11-24 13:34:54+0100"] {
            let error = decode(&format!("\"{bad}\"")).unwrap_err().to_string();
            assert!(error.contains(bad), "{error}");
            assert!(error.contains("RFC 3339"), "{error}");
        }
    }
}
