//! Splitting a byte stream into lines without trusting it.
//!
//! A child may write anything: invalid UTF-8, no newline for megabytes, a character split
//! across two reads. Lines are cut at `\n`, and a line longer than the maximum is delivered
//! in pieces (cut at a UTF-8 boundary) so that one runaway line cannot grow without bound
//! before the output limit even sees it.

/// One line (or piece of an overlong line), decoded lossily.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    /// The text, without its terminator.
    pub text: String,
    /// True when the line ended with `\n` (false for a piece of an overlong line and for
    /// the last line of a stream without a final newline).
    pub terminated: bool,
}

impl Line {
    fn new(bytes: Vec<u8>, terminated: bool) -> Self {
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(invalid) => String::from_utf8_lossy(invalid.as_bytes()).into_owned(),
        };
        Self { text, terminated }
    }
}

/// Accumulates bytes and hands out complete lines.
#[derive(Debug)]
pub(crate) struct LineSplitter {
    pending: Vec<u8>,
    max_line: usize,
}

impl LineSplitter {
    /// A splitter that delivers lines of at most `max_line` bytes.
    pub fn new(max_line: usize) -> Self {
        Self { pending: Vec::new(), max_line: max_line.max(4) }
    }

    /// Adds `bytes`, appending every line they complete to `out`.
    pub fn push(&mut self, mut bytes: &[u8], out: &mut Vec<Line>) {
        while let Some(newline) = bytes.iter().position(|&b| b == b'\n') {
            self.pending.extend_from_slice(&bytes[..newline]);
            self.cut_overlong(out);
            out.push(Line::new(std::mem::take(&mut self.pending), true));
            bytes = &bytes[newline + 1..];
        }
        self.pending.extend_from_slice(bytes);
        self.cut_overlong(out);
    }

    /// The unterminated last line, if any.
    pub fn finish(&mut self) -> Option<Line> {
        (!self.pending.is_empty()).then(|| Line::new(std::mem::take(&mut self.pending), false))
    }

    fn cut_overlong(&mut self, out: &mut Vec<Line>) {
        while self.pending.len() > self.max_line {
            let mut cut = self.max_line;
            // Step back over UTF-8 continuation bytes so a character stays whole.
            while cut > 0 && self.pending[cut] & 0xC0 == 0x80 {
                cut -= 1;
            }
            if cut == 0 {
                cut = self.max_line;
            }
            let rest = self.pending.split_off(cut);
            out.push(Line::new(std::mem::replace(&mut self.pending, rest), false));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line]) -> Vec<(&str, bool)> {
        lines.iter().map(|l| (l.text.as_str(), l.terminated)).collect()
    }

    #[test]
    fn lines_across_reads_and_a_final_unterminated_line() {
        let mut splitter = LineSplitter::new(100);
        let mut out = Vec::new();
        splitter.push(b"one\ntw", &mut out);
        splitter.push(b"o\n\nthree", &mut out);
        assert_eq!(texts(&out), [("one", true), ("two", true), ("", true)]);
        assert_eq!(splitter.finish(), Some(Line::new(b"three".to_vec(), false)));
        assert_eq!(splitter.finish(), None);
    }

    #[test]
    fn overlong_lines_are_cut_at_character_boundaries() {
        let mut splitter = LineSplitter::new(5);
        let mut out = Vec::new();
        splitter.push("abcdéfgh\n".as_bytes(), &mut out);
        assert_eq!(texts(&out), [("abcd", false), ("éfgh", true)]);
    }

    #[test]
    fn invalid_utf8_is_replaced_not_rejected() {
        let mut splitter = LineSplitter::new(100);
        let mut out = Vec::new();
        splitter.push(b"ok \xff\xfe end\n", &mut out);
        assert_eq!(texts(&out), [("ok \u{fffd}\u{fffd} end", true)]);
    }
}
