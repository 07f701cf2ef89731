//! [`Nullable`]: an optional field that may also be `null`, three states on the wire.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A request field the spec lets be left out *and* be `null`: leaving it out keeps the value
/// the server has, `null` clears it (a PATCH that removes a phone number), a value sets it.
///
/// Generated request types use it with `#[serde(default, skip_serializing_if =
/// "Nullable::is_absent")]`, so [`Absent`](Self::Absent) sends nothing, [`Null`](Self::Null)
/// sends `null` and [`Value`](Self::Value) sends the value; reading accepts all three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Nullable<T> {
    /// Not sent (the default): the server keeps what it has.
    #[default]
    Absent,
    /// Sent as `null`: the server clears the field.
    Null,
    /// Sent as this value.
    Value(T),
}

impl<T> Nullable<T> {
    /// Whether the field is left out (what `skip_serializing_if` asks).
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// Whether the field is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// The value, if there is one (absent and `null` both give `None`).
    pub fn value(&self) -> Option<&T> {
        match self {
            Nullable::Value(value) => Some(value),
            Nullable::Absent | Nullable::Null => None,
        }
    }

    /// The value seen through `Deref` (`&str` for a `String`), like [`Option::as_deref`].
    pub fn as_deref(&self) -> Option<&T::Target>
    where
        T: std::ops::Deref,
    {
        self.value().map(|value| &**value)
    }

    /// The value, if there is one (absent and `null` both give `None`).
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Value(value) => Some(value),
            Nullable::Absent | Nullable::Null => None,
        }
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(value) => value.serialize(serializer),
            // An absent field is skipped by the struct; serialised on its own it can only be null.
            Nullable::Absent | Nullable::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    /// `null` is [`Null`](Self::Null), anything else a value; an absent field never reaches
    /// here and takes the default, [`Absent`](Self::Absent).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(value) => Nullable::Value(value),
            None => Nullable::Null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Serialize, Deserialize)]
    struct Patch {
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        phone: Nullable<String>,
    }

    #[test]
    fn each_state_is_its_own_wire_form() {
        let text = |phone| serde_json::to_string(&Patch { phone }).unwrap();
        assert_eq!(text(Nullable::Absent), "{}");
        assert_eq!(text(Nullable::Null), r#"{"phone":null}"#);
        assert_eq!(text(Nullable::from("+49".to_owned())), r#"{"phone":"+49"}"#);
    }

    #[test]
    fn each_wire_form_reads_back_as_its_state() {
        let read = |json| serde_json::from_str::<Patch>(json).unwrap().phone;
        assert_eq!(read("{}"), Nullable::Absent);
        assert_eq!(read(r#"{"phone":null}"#), Nullable::Null);
        assert_eq!(read(r#"{"phone":"+49"}"#), Nullable::Value("+49".to_owned()));
    }
}
