-- lector.eval.rouge: ROUGE-1, ROUGE-2 and summary-level ROUGE-L against
-- examples worked out by hand.
local lector = require "lector"
local rouge = require "lector.eval.rouge"

local function near(expected, actual)
  assert.is_true(math.abs(expected - actual) < 1e-9, ("expected %.6f, got %.6f"):format(expected, actual))
end

local function same_prf(expected, got)
  near(expected[1], got.recall)
  near(expected[2], got.precision)
  near(expected[3], got.f1)
end

describe("rouge.tokens", function()
  it("lower-cases and turns every non-alphanumeric character into a space", function()
    assert.same({ "u", "s", "drone", "strike", "2", "1bn", "caf" },
      rouge.tokens "U.S. Drone-Strike, £2.1bn! Café")
  end)

  it("stems only words of four or more characters, as the standard script does", function()
    assert.same({ "run", "dog", "ran", "is" }, rouge.tokens("Running dogs ran is", { stem = true }))
    assert.same({ "running", "dogs", "ran", "is" }, rouge.tokens "Running dogs ran is")
  end)

  it("refuses what is not a string, naming the argument", function()
    assert.has_error(function() rouge.tokens(5) end, "bad argument #1 to 'tokens' (string expected)")
  end)
end)

describe("rouge.score", function()
  it("counts shared unigrams, bigrams and the LCS of one sentence", function()
    -- the/cat/on/the/mat shared (5 of 6 each side); bigrams: "the cat",
    -- "on the", "the mat" (3 of 5); LCS "the cat on the mat" (5).
    local s = rouge.score("the cat sat on the mat", "the cat lay on the mat")
    same_prf({ 5 / 6, 5 / 6, 5 / 6 }, s.rouge1)
    same_prf({ 3 / 5, 3 / 5, 3 / 5 }, s.rouge2)
    same_prf({ 5 / 6, 5 / 6, 5 / 6 }, s.rougeL)
  end)

  it("clips repeated words to their count in the reference", function()
    -- one "the" of the four counts: R 1/2, P 1/4, F 2(1/8)/(3/4) = 1/3
    local s = rouge.score("the the the the", "the cat")
    same_prf({ 1 / 2, 1 / 4, 1 / 3 }, s.rouge1)
    same_prf({ 0, 0, 0 }, s.rouge2)
  end)

  it("takes the union of the LCS with each candidate sentence (Lin 2004's example)", function()
    -- reference w1..w5; c1 = w1 w2 w6 w7 w8 gives w1 w2, c2 = w1 w3 w8 w9 w5
    -- gives w1 w3 w5: the union is w1 w2 w3 w5 = 4 hits, over 5 reference
    -- and 10 candidate words.
    local reference = "one two three four five"
    local candidate = { "one two six seven eight", "one three eight nine five" }
    local s = rouge.score(candidate, reference)
    same_prf({ 4 / 5, 4 / 10, 2 * 0.8 * 0.4 / 1.2 }, s.rougeL)
    -- the same candidate as one line is one sentence: its LCS with the
    -- reference is "one two three five" (w1 w2 [.. w1] w3 .. w5), also 4
    local one_line = rouge.score(table.concat(candidate, " "), reference)
    same_prf({ 4 / 5, 4 / 10, 2 * 0.8 * 0.4 / 1.2 }, one_line.rougeL)
    -- with the sentences in the other order the single-sentence LCS is
    -- shorter ("one three five" = 3) but the union is not
    local swapped = { candidate[2], candidate[1] }
    same_prf({ 4 / 5, 4 / 10, 2 * 0.8 * 0.4 / 1.2 }, rouge.score(swapped, reference).rougeL)
    same_prf({ 3 / 5, 3 / 10, 0.4 }, rouge.score(table.concat(swapped, " "), reference).rougeL)
  end)

  it("reads a string as one sentence a line", function()
    local s = rouge.score("one three eight nine five\none two six seven eight", "one two three four five")
    near(4 / 5, s.rougeL.recall)
  end)

  it("never counts a union LCS word more often than the candidate holds it", function()
    -- both reference sentences share "alpha" with the only candidate
    -- sentence, which has one "alpha": 1 hit, not 2
    local s = rouge.score({ "alpha beta" }, { "alpha gamma", "alpha delta" })
    same_prf({ 1 / 4, 1 / 2, 1 / 3 }, s.rougeL)
    same_prf({ 1 / 4, 1 / 2, 1 / 3 }, s.rouge1)
  end)

  it("matches stems only when asked", function()
    local plain = rouge.score("the dogs running", "a dog runs")
    same_prf({ 0, 0, 0 }, plain.rouge1)
    -- stemmed: "the dog run" against "a dog run" ("dog" has three letters
    -- and stays as written): dog and run shared, and the bigram "dog run"
    local stemmed = rouge.score("the dogs running", "a dog runs", { stem = true })
    same_prf({ 2 / 3, 2 / 3, 2 / 3 }, stemmed.rouge1)
    same_prf({ 1 / 2, 1 / 2, 1 / 2 }, stemmed.rouge2)
  end)

  it("gives zeros for an empty candidate", function()
    local s = rouge.score("", "something here")
    same_prf({ 0, 0, 0 }, s.rouge1)
    same_prf({ 0, 0, 0 }, s.rougeL)
  end)
end)

describe("rouge.lcs and rouge.ngram_hits", function()
  it("work on token lists", function()
    assert.equal(3, rouge.lcs({ "a", "b", "c", "d" }, { "b", "x", "c", "d" }))
    assert.equal(0, rouge.lcs({}, { "a" }))
    local hits, c, r = rouge.ngram_hits({ "a", "b", "a", "b" }, { "a", "b", "c" }, 2)
    assert.same({ 1, 3, 2 }, { hits, c, r })
  end)
end)

describe("rouge.mean", function()
  it("averages recall, precision and F1 over documents", function()
    local m = rouge.mean()
    m:add(rouge.score("the cat sat on the mat", "the cat lay on the mat"))
    m:add(rouge.score("the the the the", "the cat"))
    local r = m:result()
    same_prf({ (5 / 6 + 1 / 2) / 2, (5 / 6 + 1 / 4) / 2, (5 / 6 + 1 / 3) / 2 }, r.rouge1)
    assert.equal(2, m.count)
  end)
end)

describe("rouge.sentences", function()
  it("splits after . ! ? and a closing quote", function()
    assert.same({ "Gary Locke will be boss .", "The club went unbeaten!", "He said “yes.”", "End" },
      rouge.sentences "Gary Locke will be boss . The club went unbeaten! He said “yes.” End")
  end)
end)

describe("stemming", function()
  it("uses lector's Porter stemmer", function()
    assert.equal(lector.stemmer("porter"):stem "governments", rouge.tokens("governments", { stem = true })[1])
  end)
end)
