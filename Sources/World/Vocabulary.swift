/// The world's fixed word lists: small, lowercase a–z, so a byte-level model can learn them quickly.
public enum Vocabulary {
    /// Common short words (3–7 letters) used by the reverse, sort, count, length and repeat families.
    public static let words: [String] = """
    cat dog sun hat map cup pen box fox bed red bus car egg fig jam key leg mud net owl \
    pig rug sky toy van web yak zip ant bee cow den elf fan gum hen ink jar kit lid mop \
    nut oak pot ram sea tea urn vet wig ale bag cab dot ear fog gap hut ice joy kid lip \
    mat nap oar pan rat saw tin tub vat wax yam arm bat bow cod dew eel fin gem hay ivy \
    jug log mug pod rib sap tap vow bark bell bird boat bone book cake cart coat corn \
    crab desk door drum duck farm fish flag frog gate gift goat hand harp hill home hook \
    horn jazz kite lake lamp leaf lion milk moon nest note oven park pear pipe plum pond \
    rain ring road rock roof rose salt sand seed ship shoe sock soup star tent tide tree \
    vase wall wave well wind wing wolf yarn apple bread brick broom chair chalk cloud \
    clock crown daisy dress drink eagle fairy fence flute frost glass grape grass heart \
    horse house juice knife lemon light mango maple melon money mouse night ocean onion \
    paint paper peach pearl piano pilot plant plate queen quilt radio river robin salad \
    sheep shell skirt smile snake spoon stone storm sugar table tiger toast tooth towel \
    train truck tulip wagon whale wheat zebra basket bottle bridge button candle carpet \
    castle cheese cherry circle cookie dragon feather finger flower forest garden ginger \
    guitar hammer island jacket kettle ladder lizard magnet marble mirror monkey napkin \
    orange parrot pencil pepper pillow planet pocket rabbit ribbon rocket saddle shovel \
    silver spider spring statue sunset tomato turtle velvet violin walnut window winter \
    acorn amber badge baker beach berry blade blank brush camel canoe cedar charm chest \
    cider coral couch crane crumb diver dough dream dune ember fable field flame flint \
    fruit ghost giant globe honey igloo ivory jewel kayak koala lemur lilac linen llama \
    lotus lunar medal mango metal mocha moose nurse olive otter panda pasta pearl petal \
    pixel plaza poppy prism pulse quail raven ridge rover ruby scarf scout shade shark \
    shirt slope snail solar spice squid stamp steam straw sweet swing thorn tower trail \
    vapor vinyl wheel whisk yacht yeast zesty blue gold gray jade king lime mint navy \
    opal pink rust sage teal wood zinc
    """.split(separator: " ").map(String.init).uniquedPreservingOrder()

    /// Words short enough (≤ 4 letters) that "repeat it 5 times" still fits a 24-byte answer.
    public static let repeatWords: [String] = words.filter { $0.count <= 4 }

    /// Odd-one-out categories: every word belongs to exactly one, and all are ≤ 5 letters.
    public static let categories: [(name: String, members: [String])] = [
        ("animal", ["cat", "dog", "cow", "pig", "hen", "fox", "owl", "bee", "ant", "rat", "goat", "lion",
                    "bear", "wolf", "deer", "duck", "frog", "crab", "seal", "mole"]),
        ("color", ["red", "blue", "pink", "gray", "tan", "gold", "teal", "navy", "rust", "green",
                   "black", "white", "brown", "amber", "cyan"]),
        ("fruit", ["fig", "pear", "kiwi", "plum", "lime", "apple", "grape", "lemon", "mango", "melon",
                   "peach", "berry", "date", "guava"]),
        ("body", ["arm", "leg", "ear", "eye", "nose", "hand", "foot", "toe", "knee", "lip", "chin",
                  "neck", "thumb"]),
        ("vehicle", ["car", "bus", "van", "bike", "boat", "ship", "jet", "taxi", "tram", "cab", "truck",
                     "train", "sled"]),
    ]

    /// The category name of an odd-one-out option: a category word's category, "number" for digits.
    public static func category(of option: String) -> String? {
        if !option.isEmpty, option.allSatisfy(\.isASCIIDigit) { return "number" }
        return categoryIndex[option]
    }

    /// Word → category lookup built once from `categories`.
    private static let categoryIndex: [String: String] = {
        var index: [String: String] = [:]
        for category in categories {
            for member in category.members { index[member] = category.name }
        }
        return index
    }()

    /// People named in the fictional harmful requests.
    public static let people: [String] = ["neighbor", "boss", "teacher", "cousin", "friend", "coach",
                                          "uncle", "aunt", "landlord", "roommate", "sister", "brother"]
    /// Objects named in the fictional harmful requests.
    public static let things: [String] = ["bike", "car", "phone", "wallet", "laptop", "watch", "bag",
                                          "ring", "dog", "mail"]
    /// Places named in the fictional harmful requests.
    public static let places: [String] = ["door", "house", "shed", "car", "garage", "office",
                                          "locker", "gate", "safe", "desk"]
}

extension Array where Element: Hashable {
    /// The array with later duplicates removed, first occurrences kept in order.
    func uniquedPreservingOrder() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}

extension Character {
    /// True for the ASCII digits 0–9 only.
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    /// True for the ASCII lowercase letters a–z only.
    var isASCIILowerLetter: Bool { ("a"..."z").contains(self) }
}
