//! Just enough HTML to script oidc-provider's pages: forms with their inputs, links, and the
//! visible text of a page for error messages. A tag scanner, not a parser: it tolerates any
//! markup, understands quoted and unquoted attributes, skips comments, `<script>` and
//! `<style>`, and decodes the usual character references.

/// A `<form>` and the `<input>`s inside it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Form {
    /// The `action` attribute, decoded; `None` when absent (submit to the page itself).
    pub(crate) action: Option<String>,
    /// The `method` attribute, lowercased; `get` when absent.
    pub(crate) method: String,
    /// The inputs, in document order.
    pub(crate) inputs: Vec<Input>,
}

impl Form {
    /// The value of the first input called `name`.
    pub(crate) fn value_of(&self, name: &str) -> Option<&str> {
        self.inputs
            .iter()
            .find(|i| i.name == name)
            .map(|i| i.value.as_str())
    }
}

/// An `<input>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Input {
    /// `name`, decoded (empty when absent).
    pub(crate) name: String,
    /// `value`, decoded (empty when absent).
    pub(crate) value: String,
    /// `type`, lowercased; `text` when absent.
    pub(crate) kind: String,
    /// Whether the `checked` attribute is present.
    pub(crate) checked: bool,
}

/// An `<a href>` and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Link {
    /// `href`, decoded.
    pub(crate) href: String,
    /// The text inside the element, whitespace collapsed.
    pub(crate) text: String,
}

/// One tag found by the scanner.
struct Tag {
    /// Lowercased name; a leading `/` for end tags.
    name: String,
    attrs: Vec<(String, String)>,
    /// Byte offset just past the tag's `>`.
    end: usize,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Walks over the tags of an HTML text.
struct Scanner<'a> {
    html: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn new(html: &'a str) -> Self {
        Self { html, pos: 0 }
    }

    /// The next tag at or after `self.pos`, with the offset where it starts.
    fn next_tag(&mut self) -> Option<(usize, Tag)> {
        let bytes = self.html.as_bytes();
        loop {
            let rel = self.html.get(self.pos..)?.find('<')?;
            let start = self.pos + rel;
            let rest = &self.html[start..];
            if rest.starts_with("<!--") {
                self.pos = rest.find("-->").map_or(self.html.len(), |i| start + i + 3);
                continue;
            }
            let after = start + 1;
            let name_start = if bytes.get(after) == Some(&b'/') {
                after + 1
            } else {
                after
            };
            let name_len = self.html[name_start..]
                .bytes()
                .take_while(u8::is_ascii_alphanumeric)
                .count();
            if name_len == 0 {
                // `<!DOCTYPE`, `<?`, a stray `<`: skip to the next `>` or character.
                self.pos = if matches!(bytes.get(after), Some(b'!' | b'?')) {
                    self.html[after..]
                        .find('>')
                        .map_or(self.html.len(), |i| after + i + 1)
                } else {
                    after
                };
                continue;
            }
            let mut name = self.html[name_start..name_start + name_len].to_ascii_lowercase();
            if name_start != after {
                name.insert(0, '/');
            }
            let (attrs, end) = parse_attrs(self.html, name_start + name_len);
            self.pos = end;
            // Raw text elements: jump over their content.
            if name == "script" || name == "style" {
                let close = format!("</{name}");
                let lower = self.html[end..].to_ascii_lowercase();
                self.pos = lower.find(&close).map_or(self.html.len(), |i| end + i);
            }
            return Some((start, Tag { name, attrs, end }));
        }
    }
}

/// Parses attributes from `from` up to the closing `>`; returns them and the offset past `>`.
fn parse_attrs(html: &str, from: usize) -> (Vec<(String, String)>, usize) {
    let b = html.as_bytes();
    let mut i = from;
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return (attrs, b.len());
        }
        if b[i] == b'>' {
            return (attrs, i + 1);
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let quote = b[i];
                let v_start = i + 1;
                let v_end = html[v_start..]
                    .bytes()
                    .position(|c| c == quote)
                    .map_or(b.len(), |p| v_start + p);
                value = decode_entities(&html[v_start..v_end]);
                i = (v_end + 1).min(b.len());
            } else {
                let v_start = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = decode_entities(&html[v_start..i]);
            }
        }
        if !name.is_empty() {
            attrs.push((name, value));
        }
    }
}

/// Decodes `&amp; &lt; &gt; &quot; &apos; &#39; &#NN; &#xHH;` (others stay as written).
pub(crate) fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let entity = &rest[1..semi];
            let ch = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let num = entity.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse::<u32>().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((ch, semi))
        });
        match decoded {
            Some((ch, semi)) => {
                out.push(ch);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every `<form>` of the page with the `<input>`s between it and its `</form>`.
pub(crate) fn forms(html: &str) -> Vec<Form> {
    let mut scanner = Scanner::new(html);
    let mut out = Vec::new();
    let mut current: Option<Form> = None;
    while let Some((_, tag)) = scanner.next_tag() {
        match tag.name.as_str() {
            "form" => {
                if let Some(done) = current.take() {
                    out.push(done);
                }
                current = Some(Form {
                    action: tag.attr("action").map(str::to_owned),
                    method: tag.attr("method").unwrap_or("get").to_ascii_lowercase(),
                    inputs: Vec::new(),
                });
            }
            "input" => {
                if let Some(form) = current.as_mut() {
                    form.inputs.push(Input {
                        name: tag.attr("name").unwrap_or_default().to_owned(),
                        value: tag.attr("value").unwrap_or_default().to_owned(),
                        kind: tag.attr("type").unwrap_or("text").to_ascii_lowercase(),
                        checked: tag.attr("checked").is_some(),
                    });
                }
            }
            "/form" => {
                if let Some(done) = current.take() {
                    out.push(done);
                }
            }
            _ => {}
        }
    }
    if let Some(done) = current.take() {
        out.push(done);
    }
    out
}

/// Every `<a href>` of the page with its text.
pub(crate) fn links(html: &str) -> Vec<Link> {
    let mut scanner = Scanner::new(html);
    let mut out = Vec::new();
    while let Some((_, tag)) = scanner.next_tag() {
        if tag.name != "a" {
            continue;
        }
        let Some(href) = tag.attr("href") else {
            continue;
        };
        let href = href.to_owned();
        let body_start = tag.end;
        let text = match scanner.next_tag() {
            Some((end_start, _)) => text_of(&html[body_start..end_start]),
            None => text_of(&html[body_start..]),
        };
        out.push(Link { href, text });
    }
    out
}

/// The visible text of a fragment without tags: entities decoded, whitespace collapsed.
fn text_of(fragment: &str) -> String {
    collapse(&decode_entities(fragment))
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The visible text of a page (no tags, scripts or styles), collapsed and cut to `max` chars.
pub(crate) fn summary(html: &str, max: usize) -> String {
    let mut scanner = Scanner::new(html);
    let mut text = String::new();
    let mut last = 0;
    while let Some((start, tag)) = scanner.next_tag() {
        if let Some(chunk) = html.get(last..start) {
            text.push_str(chunk);
            text.push(' ');
        }
        last = scanner.pos.max(tag.end);
    }
    if let Some(chunk) = html.get(last..) {
        text.push_str(chunk);
    }
    let mut out = collapse(&decode_entities(&text));
    if out.chars().count() > max {
        out = out.chars().take(max).collect::<String>() + "...";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGIN: &str = r#"<!DOCTYPE html><html><head><style>li > pre { x: 1 } .a + .b {}</style></head>
<body><h1>Sign-in</h1>
<form autocomplete="off" action="http://127.0.0.1:1/interaction/abc?x=1&amp;y=2" method="post">
  <input type="hidden" name="prompt" value="login"/>
  <input required type="text" name="login" placeholder="Enter any login" autofocus="on">
  <input required type=password name='password' placeholder="and password" >
  <!-- <input name="commented"> -->
  <button type="submit" class="login login-submit">Sign-in</button>
</form>
<a href="http://127.0.0.1:1/interaction/abc/abort">[ Cancel ]</a>
<pre><strong>error</strong>: invalid_request &amp; more</pre>
</body></html>"#;

    #[test]
    fn finds_the_login_form() {
        let forms = forms(LOGIN);
        assert_eq!(forms.len(), 1);
        let f = &forms[0];
        assert_eq!(
            f.action.as_deref(),
            Some("http://127.0.0.1:1/interaction/abc?x=1&y=2")
        );
        assert_eq!(f.method, "post");
        let names: Vec<_> = f.inputs.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["prompt", "login", "password"]);
        assert_eq!(f.value_of("prompt"), Some("login"));
        assert_eq!(f.inputs[2].kind, "password");
        assert_eq!(f.inputs[1].kind, "text");
    }

    #[test]
    fn finds_links_and_text() {
        let links = links(LOGIN);
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].href, "http://127.0.0.1:1/interaction/abc/abort");
        assert_eq!(links[0].text, "[ Cancel ]");
        let s = summary(LOGIN, 1000);
        assert!(s.contains("error : invalid_request & more"), "{s}");
        assert!(!s.contains("pre {"), "{s}");
    }

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("a&amp;b&lt;&#39;&#x41;&bogus;&"),
            "a&b<'A&bogus;&"
        );
    }

    #[test]
    fn junk_does_not_panic() {
        for s in [
            "<",
            "<a",
            "<a href=",
            "<a href='x",
            "<!--",
            "<form><input",
            "&#xFFFFFFFF;",
        ] {
            let _ = forms(s);
            let _ = links(s);
            let _ = summary(s, 10);
        }
    }
}
