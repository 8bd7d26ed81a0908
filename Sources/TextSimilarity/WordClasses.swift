/// Word classes that decide what a one-word edit weighs: swapping function words or synonyms keeps a
/// prompt's meaning, swapping a content word or a number makes a different prompt (the template case).
///
/// Both lists are hand-written for English prompts: `light` holds articles, pronouns, prepositions,
/// conjunctions, auxiliaries, modal verbs and politeness words (negations are left out on purpose: "not"
/// flips a prompt); `synonymGroups` holds near-synonyms of common instruction vocabulary and common British and
/// American spelling pairs. A synonym outside
/// these groups counts as a content word, so it is found only in prompts long enough to afford one content edit.
enum WordClasses {
    /// Function words whose swap, insertion or deletion barely changes a prompt.
    static let light: Set<Substring> = [
        "a", "an", "the", "this", "that", "these", "those", "some", "any", "each", "every",
        "i", "me", "my", "mine", "you", "your", "yours", "we", "us", "our", "he", "him", "his", "she", "her",
        "it", "its", "they", "them", "their", "one", "someone", "something",
        "in", "on", "at", "of", "for", "to", "from", "with", "by", "about", "into", "onto", "over", "under",
        "and", "or", "but", "so", "then", "also", "as", "if", "while",
        "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "have", "has", "had",
        "can", "could", "may", "might", "must", "shall", "should", "will", "would", "ought",
        "please", "kindly", "just", "briefly", "here", "there", "now", "what", "which", "how",
    ]

    /// Groups of interchangeable words; a word belongs to one group at most.
    static let synonymGroups: [[Substring]] = [
        ["big", "large", "huge"], ["small", "little", "tiny"], ["quick", "fast", "rapid", "speedy"],
        ["quickly", "rapidly", "swiftly"], ["begin", "start", "commence"], ["end", "finish"], ["choose", "pick", "select"],
        ["show", "display"], ["help", "assist", "aid"], ["explain", "describe", "clarify"], ["give", "provide", "offer"],
        ["make", "create", "produce"], ["use", "utilize", "utilise", "employ"], ["buy", "purchase"],
        ["answer", "reply", "respond"], ["simple", "easy", "straightforward"], ["hard", "difficult", "tough"],
        ["smart", "clever", "intelligent"], ["happy", "glad", "cheerful"], ["often", "frequently"], ["maybe", "perhaps"],
        ["regarding", "concerning"], ["write", "compose", "draft"], ["short", "brief", "concise"],
        ["way", "method", "approach", "technique"], ["problem", "issue"], ["car", "automobile"], ["kid", "child"],
        ["kids", "children"], ["fix", "repair"], ["error", "mistake"], ["shut", "close"], ["rich", "wealthy"],
        ["suggest", "recommend", "propose"], ["improve", "enhance"], ["main", "primary", "principal", "chief"],
        ["steps", "stages"], ["tips", "hints", "advice"], ["list", "enumerate", "name"], ["tell", "inform"],
        ["summarize", "summarise", "condense"], ["important", "crucial", "essential", "vital"], ["job", "occupation"],
        ["shop", "store"], ["trip", "journey", "voyage"], ["guess", "estimate"], ["keep", "retain"],
        // British and American spellings.
        ["colour", "color"], ["colours", "colors"], ["favourite", "favorite"], ["centre", "center"], ["organise", "organize"],
        ["realise", "realize"], ["analyse", "analyze"], ["behaviour", "behavior"], ["neighbour", "neighbor"],
        ["travelling", "traveling"], ["theatre", "theater"], ["programme", "program"], ["grey", "gray"], ["metre", "meter"],
        ["litre", "liter"], ["defence", "defense"], ["licence", "license"], ["apologise", "apologize"], ["recognise", "recognize"],
    ]

    /// Word → its synonym group (1-based); 0 for none.
    static let group: [Substring: Int16] = {
        var table: [Substring: Int16] = [:]
        for (index, words) in synonymGroups.enumerated() {
            for word in words where table[word] == nil { table[word] = Int16(index + 1) }
        }
        return table
    }()
}
