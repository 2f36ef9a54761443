//! HTML escaping of text put into a page, written once for the workspace's pages (the
//! testkit's consent and error pages, the axum login app's pages).

use core::fmt;

/// `text` escaped for HTML element content and quoted attribute values: `&`, `<`, `>`, `"`
/// and `'` become entities, every other character is written as it is. A `Display` adapter,
/// so it needs no heap.
///
/// ```
/// use pkce_core::HtmlEscaped;
/// let shown = format!("<p>{}</p>", HtmlEscaped("<script>alert('x')</script> & \"q\""));
/// assert_eq!(
///     shown,
///     "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;</p>"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HtmlEscaped<'a>(pub &'a str);

impl fmt::Display for HtmlEscaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        let mut plain = 0;
        for (i, c) in text.char_indices() {
            let entity = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => continue,
            };
            f.write_str(text.get(plain..i).unwrap_or_default())?;
            f.write_str(entity)?;
            plain = i + 1;
        }
        f.write_str(text.get(plain..).unwrap_or_default())
    }
}
