//! Form-encoding test vectors: the encoder (WHATWG `application/x-www-form-urlencoded`
//! serializer), the decoder (WHATWG pairs, then the strict mode for OAuth values), and the
//! rule that `+` and `%20` both decode to a space while `%2B` is a literal plus.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pkce_core::form::{self, Encoded, FormEncoder, Pairs};
use pkce_core::{BufferTooSmall, FormError};

/// Encoder vectors as (value, encoding).
const ENC: [(&str, &str); 15] = [
    (" %&+£€", "+%25%26%2B%C2%A3%E2%82%AC"),
    ("a b", "a+b"),
    ("a+b", "a%2Bb"),
    ("~", "%7E"),
    ("*-._", "*-._"),
    ("!'()", "%21%27%28%29"),
    ("é", "%C3%A9"),
    ("😀", "%F0%9F%98%80"),
    (
        "https://client.example.com/cb",
        "https%3A%2F%2Fclient.example.com%2Fcb",
    ),
    (
        "http://127.0.0.1:51004/cb?x=1&y=2",
        "http%3A%2F%2F127.0.0.1%3A51004%2Fcb%3Fx%3D1%26y%3D2",
    ),
    ("=&#", "%3D%26%23"),
    ("\r\n", "%0D%0A"),
    ("read write", "read+write"),
    (
        "urn:ietf:params:oauth:grant-type:device_code",
        "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code",
    ),
    ("\0", "%00"),
];

#[test]
fn encoder_matches_the_vectors() {
    for (value, expected) in ENC {
        let mut out = String::new();
        form::encode_component(&mut out, value).unwrap();
        assert_eq!(out, expected, "{value:?}");
        assert_eq!(form::encoded_len(value), expected.len(), "{value:?}");

        // As a name and a value, through both entry points.
        let pair = format!("{expected}={expected}");
        let mut buf = [0u8; 256];
        assert_eq!(
            form::encode_pairs_into([(value, value)], &mut buf).unwrap(),
            pair
        );
        let mut s = heapless::String::<256>::new();
        FormEncoder::new(&mut s).append_pair(value, value).unwrap();
        assert_eq!(s.as_str(), pair);

        // And it decodes back, leniently and strictly.
        let enc = Encoded::new(expected.as_bytes());
        assert_eq!(enc.decoded_bytes().collect::<Vec<u8>>(), value.as_bytes());
        assert!(enc.decoded_eq(value));
        assert_eq!(enc.decoded_len(), value.len());
        let mut dbuf = [0u8; 64];
        assert_eq!(enc.decode_into(&mut dbuf).unwrap(), value);
    }
}

#[test]
fn nul_is_encoded_and_does_not_truncate() {
    let mut buf = [0u8; 32];
    assert_eq!(
        form::encode_pairs_into([("a", "x\0y"), ("b", "z")], &mut buf).unwrap(),
        "a=x%00y&b=z"
    );
}

#[test]
fn encoder_joins_pairs_and_reports_needed_size() {
    let pairs = [
        ("response_type", "code"),
        ("scope", "read write"),
        ("x", ""),
    ];
    let expected = "response_type=code&scope=read+write&x=";
    let mut buf = [0u8; 64];
    assert_eq!(form::encode_pairs_into(pairs, &mut buf).unwrap(), expected);
    let mut small = [0u8; 10];
    assert_eq!(
        form::encode_pairs_into(pairs, &mut small).unwrap_err(),
        BufferTooSmall {
            needed: expected.len()
        }
    );
    let mut exact = vec![0u8; expected.len()];
    assert_eq!(
        form::encode_pairs_into(pairs, &mut exact).unwrap(),
        expected
    );

    let mut s = String::from("prompt=consent");
    let mut enc = FormEncoder::continuing(&mut s);
    assert!(!enc.is_empty());
    enc.append_pair("state", "a&b").unwrap();
    assert_eq!(s, "prompt=consent&state=a%26b");
    let mut tiny = heapless::String::<4>::new();
    assert!(
        FormEncoder::new(&mut tiny)
            .append_pair("abc", "def")
            .is_err()
    );
}

/// Leniently decoded pairs, as lossy strings (the WHATWG reading).
fn lenient(input: &str) -> Vec<(String, String)> {
    Pairs::new(input.as_bytes())
        .map(|(n, v)| {
            let n: Vec<u8> = n.decoded_bytes().collect();
            let v: Vec<u8> = v.decoded_bytes().collect();
            (
                String::from_utf8_lossy(&n).into_owned(),
                String::from_utf8_lossy(&v).into_owned(),
            )
        })
        .collect()
}

fn strict(e: Encoded<'_>) -> Result<String, FormError> {
    let mut buf = [0u8; 128];
    e.decode_into(&mut buf).map(str::to_owned)
}

fn p(n: &str, v: &str) -> (String, String) {
    (n.to_owned(), v.to_owned())
}

#[test]
fn decoder_splits_pairs_as_whatwg_does() {
    assert_eq!(lenient("a=b&a=c"), [p("a", "b"), p("a", "c")]);
    assert_eq!(
        form::first_duplicate(b"a=b&a=c", &["state", "a"]),
        Some("a")
    );
    assert_eq!(form::first_duplicate(b"a=b&c=c", &["a", "c"]), None);
    assert_eq!(lenient("x"), [p("x", "")]);
    assert_eq!(lenient("=y"), [p("", "y")]);
    assert_eq!(lenient("z=1=2"), [p("z", "1=2")]);
    assert_eq!(lenient("&&a=1&&"), [p("a", "1")]);
    assert!(lenient("").is_empty());
    assert!(lenient("&&&").is_empty());
}

#[test]
fn malformed_escape_is_literal_when_lenient_and_an_error_when_strict() {
    assert_eq!(lenient("p=%zz"), [p("p", "%zz")]);
    let (_, v) = Pairs::new(b"p=%zz").next().unwrap();
    assert_eq!(strict(v), Err(FormError::MalformedEscape { offset: 0 }));
    for (raw, offset) in [("ab%", 2), ("%4", 0), ("a%4g", 1), ("%41%", 3), ("%%41", 0)] {
        assert_eq!(
            strict(Encoded::new(raw.as_bytes())),
            Err(FormError::MalformedEscape { offset }),
            "{raw}"
        );
    }
    assert_eq!(lenient("p=%4"), [p("p", "%4")]);
    assert_eq!(lenient("p=%%41"), [p("p", "%A")]);
}

#[test]
fn invalid_utf8_is_replaced_when_lenient_and_an_error_when_strict() {
    assert_eq!(lenient("u=%C3%28"), [p("u", "\u{FFFD}(")]);
    let (_, v) = Pairs::new(b"u=%C3%28").next().unwrap();
    assert_eq!(strict(v), Err(FormError::InvalidUtf8));
    assert_eq!(v.decoded_bytes().collect::<Vec<u8>>(), [0xC3, 0x28]);
}

#[test]
fn plus_is_a_space_and_an_escaped_plus_is_a_plus() {
    assert_eq!(lenient("s=1;t=2"), [p("s", "1;t=2")]);
    assert!(!Pairs::new(b"s=1;t=2").any(|(n, _)| n.decoded_eq("t")));
    assert_eq!(
        lenient("plus=a+b&enc=a%2Bb"),
        [p("plus", "a b"), p("enc", "a+b")]
    );
    let mut it = Pairs::new(b"plus=a+b&enc=a%2Bb");
    assert_eq!(strict(it.next().unwrap().1).unwrap(), "a b");
    assert_eq!(strict(it.next().unwrap().1).unwrap(), "a+b");
    let input = b"code=SplxlOBeZQQYbYS6WxSbIA&state=xyz";
    assert_eq!(
        lenient(core::str::from_utf8(input).unwrap()),
        [p("code", "SplxlOBeZQQYbYS6WxSbIA"), p("state", "xyz")]
    );
    assert_eq!(form::first_duplicate(input, &["code", "state"]), None);
    let raw: Vec<&[u8]> = Pairs::new(input).map(|(_, v)| v.raw()).collect();
    assert_eq!(raw, [&b"SplxlOBeZQQYbYS6WxSbIA"[..], b"xyz"]);
}

#[test]
fn decode_into_reports_buffer_too_small_with_decoded_length() {
    let e = Encoded::new(b"a%20b+c");
    let mut buf = [0u8; 3];
    assert_eq!(
        e.decode_into(&mut buf),
        Err(FormError::BufferTooSmall(BufferTooSmall { needed: 5 }))
    );
    let mut buf = [0u8; 5];
    assert_eq!(e.decode_into(&mut buf).unwrap(), "a b c");
}

#[test]
fn pairs_are_split_before_they_are_decoded() {
    let input = b"state=a%26code%3Devil";
    let pairs = lenient(core::str::from_utf8(input).unwrap());
    assert_eq!(pairs, [p("state", "a&code=evil")]);
    assert!(!Pairs::new(input).any(|(n, _)| n.decoded_eq("code")));
    assert_eq!(Pairs::new(input).count(), 1);
    let (n, v) = Pairs::new(input).next().unwrap();
    assert!(n.decoded_eq("state"));
    assert_eq!(strict(v).unwrap(), "a&code=evil");
}

#[test]
fn any_equivalent_encoding_decodes_the_same() {
    let e = Encoded::new(b"https%3A%2F%2Fclient%2Eexample%2Ecom%2Fcb");
    assert_eq!(strict(e).unwrap(), "https://client.example.com/cb");
    assert!(e.decoded_eq("https://client.example.com/cb"));
    // Lower-case hex and escaped names are the same thing.
    assert_eq!(strict(Encoded::new(b"%2e%7e%c3%a9")).unwrap(), ".~é");
    assert!(Encoded::new(b"%63ode").decoded_eq("code"));
}
