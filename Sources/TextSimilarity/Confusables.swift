/// Look-alike letters of other scripts folded to the ASCII letter they are read as.
///
/// Which subset: the single-scalar entries of Unicode TR39 `confusables.txt` (MA table) whose source is a
/// Cyrillic, Greek, Armenian or Latin-extension letter and whose target is one ASCII letter, that is, the
/// letters used to write English words in another script (the homograph trick). Full-width forms,
/// mathematical alphanumerics, ligatures and compatibility spaces are not listed: NFKC folds them first.
/// How it was made: written by hand from the Unicode code charts and the TR39 data, keeping case (a Greek
/// capital Eta reads as H, its small form as n, so folding runs before lowercasing). Where TR39's prototype
/// is not the letter a reader sees (it maps I and 1 to l, so that ASCII text itself would change), the entry
/// maps to the letter a reader sees instead; ASCII is never remapped.
enum Confusables {
    /// Scalar value → ASCII scalar value.
    static let latin: [UInt32: UInt8] = {
        var table: [UInt32: UInt8] = [:]
        for (letters, target) in pairs {
            for scalar in letters.unicodeScalars { table[scalar.value] = target.utf8.first! }
        }
        return table
    }()

    /// Look-alikes grouped by the ASCII letter they fold to.
    private static let pairs: [(String, String)] = [
        // Cyrillic capitals.
        ("\u{0410}", "A"), ("\u{0412}", "B"), ("\u{0421}", "C"), ("\u{0415}", "E"), ("\u{041D}", "H"), ("\u{0406}", "I"),
        ("\u{0408}", "J"), ("\u{041A}", "K"), ("\u{041C}", "M"), ("\u{041E}", "O"), ("\u{0420}", "P"), ("\u{0405}", "S"),
        ("\u{0422}", "T"), ("\u{0425}", "X"), ("\u{04AE}\u{0423}", "Y"), ("\u{051A}", "Q"), ("\u{051C}", "W"),
        // Cyrillic small letters.
        ("\u{0430}", "a"), ("\u{0441}", "c"), ("\u{0501}", "d"), ("\u{0435}", "e"), ("\u{04BB}", "h"), ("\u{0456}", "i"),
        ("\u{0458}", "j"), ("\u{04CF}", "l"), ("\u{043E}", "o"), ("\u{0440}", "p"), ("\u{051B}", "q"), ("\u{0455}", "s"),
        ("\u{051D}", "w"), ("\u{0445}", "x"), ("\u{0443}\u{04AF}", "y"),
        // Greek capitals.
        ("\u{0391}", "A"), ("\u{0392}", "B"), ("\u{0395}", "E"), ("\u{0397}", "H"), ("\u{0399}", "I"), ("\u{039A}", "K"),
        ("\u{039C}", "M"), ("\u{039D}", "N"), ("\u{039F}", "O"), ("\u{03A1}", "P"), ("\u{03A4}", "T"), ("\u{03A7}", "X"),
        ("\u{03A5}", "Y"), ("\u{0396}", "Z"),
        // Greek small letters.
        ("\u{03B1}", "a"), ("\u{03F2}", "c"), ("\u{03B9}", "i"), ("\u{03F3}", "j"), ("\u{03BA}", "k"), ("\u{03B7}", "n"),
        ("\u{03BF}", "o"), ("\u{03C1}", "p"), ("\u{03C5}", "u"), ("\u{03BD}", "v"), ("\u{03B3}", "y"),
        // Armenian small letters.
        ("\u{0570}", "h"), ("\u{0578}", "n"), ("\u{0585}", "o"), ("\u{0566}", "q"), ("\u{057D}", "u"), ("\u{0581}", "g"),
        // Latin letters outside ASCII that read as ASCII ones (dotless i, Latin iota, script a and g).
        ("\u{0131}\u{0269}", "i"), ("\u{0251}", "a"), ("\u{0261}", "g"),
    ]
}
