-- The words the rules act on (negation, contrast, concession, scare
-- words, phrases that only block a reading) and the weights of the rules.
-- The default lexicon may list any of these words itself: its entry then
-- wins, since these are added only for phrases it does not have.
local rules = {}

-- Roles a lexicon label gives a phrase. "idiom" is a valence carried by a
-- whole multi-word expression; "neutral" phrases only stop their words
-- from being read alone ("not only", "but also").
rules.ROLE = {
  valence = "valence", idiom = "valence", booster = "booster", negation = "negation",
  contrast = "contrast", concession = "concession", scare = "scare", neutral = "neutral",
  hedge = "hedge",
}

local negations = {
  "not", "never", "no", "none", "nobody", "nothing", "neither", "nor", "nowhere", "without",
  "cannot", "no longer", "no more", "not at all", "n't", "lack of", "lacks", "lacked",
  "lacking", "fail to", "fails to", "failed to", "failing to", "rarely", "hardly", "barely",
  "anything but", "less", "fewer", "less than",
}
local contractions = {
  "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "won't", "wouldn't",
  "can't", "couldn't", "shouldn't", "hasn't", "haven't", "hadn't", "mustn't", "needn't",
  "ain't", "mightn't", "shan't",
}
for _, w in ipairs(contractions) do
  negations[#negations + 1] = w
  negations[#negations + 1] = (w:gsub("'", "\u{2019}"))   -- typographic apostrophe
  negations[#negations + 1] = (w:gsub("'", ""))            -- "dont", as typed in a hurry
end

rules.WORDS = {
  negation = negations,
  -- the clause after it is the one that counts
  contrast = { "but", "however", "nevertheless", "nonetheless", "even so", "that said",
    "on the other hand", "yet" },
  -- the clause it opens counts less
  concession = { "although", "though", "even though", "even if", "despite", "in spite of",
    "notwithstanding", "albeit" },
  -- the writer keeps the next word at a distance
  scare = { "so-called", "so called", "self-styled", "self-proclaimed", "supposed",
    "purported" },
  -- read as a whole, so that their words trigger no rule
  neutral = { "not only", "but also", "no doubt", "nothing but", "not just", "not yet",
    "yet again", "as yet", "and yet", "without doubt", "never mind", "though not", "all but" },
}

-- The weights. Tuned on the dev parts of the VADER and SemEval data (see
-- docs/sentiment.md); every one is a plain number so a change is one line.
rules.K = {
  neg_scope = 3,        -- a negation reaches this many tokens after it
  neg_factor = -0.75,   -- a negated valence flips and weakens
  neg_negative = -0.5,  -- ... a negated negative one more ("not bad" is not "good")
  bare_negation = -0.6, -- a negation that negates no valence word of its sentence
  boost_reach = 3,      -- a booster reaches this many tokens after it
  boost_decay = 0.85,   -- ... losing this share per token between
  caps = 0.7,           -- a word in capitals in a sentence that is not
  excl = 0.3,           -- each '!' pushes the sum away from 0 by this
  excl_max = 4,
  before_contrast = 0.5, -- words before 'but' ...
  after_contrast = 1.5,  -- ... and after it
  concession = 0.5,     -- words in a clause opened by 'although'
  scare_positive = -0.5, -- a positive word in scare quotes turns
  scare_negative = 0.5,  -- a negative one is held at a distance
  scale = 4,            -- compound = tanh(sum / scale)
  neutral = 0.05,       -- |compound| below this is neutral
}

return rules
