//! One pass over the bytes of a Books API answer: Zoho's result `code` and
//! `message`, the paging context, and the records' text (each element of the
//! list, or the one record of a detail answer) borrowed from the body;
//! every other member is skipped unread. The records are then parsed one by
//! one, and their text is kept as it arrived, so nothing is serialised again.

use std::fmt;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

use super::{BooksError, RateInfo, Throttle, MAX_PER_PAGE};

/// Which member holds the records.
#[derive(Debug, Clone, Copy)]
pub(super) enum Wanted<'k> {
    /// None: only the code and message are read.
    Nothing,
    /// A list answer's array (`invoices`, `contacts`, ...).
    List(&'k str),
    /// A detail answer's object (`invoice`, `contact`, ...).
    One(&'k str),
}

/// What the pass keeps.
#[derive(Debug, Default)]
pub(super) struct Answer<'a> {
    code: Option<Value>,
    message: Option<Value>,
    /// The wanted list's elements; `Some(None)` when the member is not an array.
    pub list: Option<Option<Vec<&'a RawValue>>>,
    /// The wanted single member.
    pub one: Option<&'a RawValue>,
    pub page_context: Option<&'a RawValue>,
}

struct AnswerSeed<'k>(Wanted<'k>);

impl<'de> DeserializeSeed<'de> for AnswerSeed<'_> {
    type Value = Answer<'de>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Answer<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for AnswerSeed<'_> {
    type Value = Answer<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Answer<'de>, A::Error> {
        let mut a = Answer::default();
        while let Some(key) = map.next_key::<String>()? {
            match (key.as_str(), self.0) {
                ("code", _) => a.code = Some(map.next_value()?),
                ("message", _) => a.message = Some(map.next_value()?),
                ("page_context", _) => a.page_context = Some(map.next_value()?),
                (k, Wanted::List(w)) if k == w => a.list = Some(map.next_value_seed(ListSeed)?),
                (k, Wanted::One(w)) if k == w => a.one = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(a)
    }
}

/// An array's elements as text; anything else is skipped (`None`).
struct ListSeed;

impl<'de> DeserializeSeed<'de> for ListSeed {
    type Value = Option<Vec<&'de RawValue>>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ListSeed {
    type Value = Option<Vec<&'de RawValue>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(MAX_PER_PAGE as usize);
        while let Some(item) = seq.next_element::<&'de RawValue>()? {
            items.push(item);
        }
        Ok(Some(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// Reads `body` once (see the module docs); `None` when it is not one JSON
/// object.
fn read<'a>(body: &'a [u8], wanted: Wanted<'_>) -> Option<Answer<'a>> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let answer = AnswerSeed(wanted).deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(answer)
}

/// Maps status and body to the answer or the typed error (a 200 with a
/// non-zero code is an error). Never logs the body; never panics.
pub(super) fn classify<'a>(
    status: u16,
    body: &'a [u8],
    rate: RateInfo,
    wanted: Wanted<'_>,
) -> Result<Answer<'a>, BooksError> {
    let answer = read(body, wanted);
    let code = answer.as_ref().and_then(|a| a.code.as_ref()).and_then(|c| {
        c.as_i64()
            .or_else(|| c.as_str().and_then(|s| s.trim().parse().ok()))
    });
    let message = || -> String {
        answer
            .as_ref()
            .and_then(|a| a.message.as_ref())
            .and_then(Value::as_str)
            .map(|m| m.chars().filter(|c| !c.is_control()).take(200).collect())
            .unwrap_or_default()
    };
    let not_json = || BooksError::Decode {
        reason: if serde_json::from_slice::<IgnoredAny>(body).is_ok() {
            "no result code"
        } else {
            "not JSON"
        },
    };
    match (status, code) {
        // Zoho's documented throttling answers, by code, whatever the
        // words and whether or not the quota headers came with them.
        (_, Some(45)) => Err(BooksError::RateLimited {
            rate,
            limit: Throttle::Day,
        }),
        (_, Some(1070)) => Err(BooksError::RateLimited {
            rate,
            limit: Throttle::InFlight,
        }),
        (429, _) | (_, Some(43 | 44)) => Err(BooksError::RateLimited {
            rate,
            limit: if rate.remaining == Some(0) {
                Throttle::Day
            } else {
                Throttle::Minute
            },
        }),
        (401, _) | (_, Some(57)) => Err(BooksError::Unauthorized),
        (_, Some(6041)) => Err(BooksError::NotInOrganization),
        (_, Some(6024)) => Err(BooksError::OrganizationNeeded),
        (_, Some(1002)) | (404, _) => Err(BooksError::NotFound),
        (500..=599, _) => Err(BooksError::Server { status }),
        (200..=299, Some(0)) => answer.ok_or_else(not_json),
        (200..=299, Some(code)) => Err(BooksError::Zoho {
            code,
            message: message(),
        }),
        (200..=299, None) => Err(not_json()),
        (_, Some(code)) if code != 0 => Err(BooksError::Zoho {
            code,
            message: message(),
        }),
        _ => Err(BooksError::Http { status }),
    }
}
