/*
 * Segmentation: paragraphs, sentences and tokens on the fixture article and
 * on adversarial news text; token kinds, shapes and case folding; linear
 * behaviour on pathological input. Every input is also checked against the
 * structural guarantees in check_invariants.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "lector.h"
#include "lector_limits.h"

#ifndef LECTOR_FIXTURES_DIR
#define LECTOR_FIXTURES_DIR "tests/fixtures"
#endif
#define FIXTURE LECTOR_FIXTURES_DIR "/000_eec91c594e6a2ce7.txt"

/* ---- helpers ------------------------------------------------------------------ */

static int is_space_cp(uint32_t cp) {
  if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D)) return 1;
  utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
  return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL ||
         c == UTF8PROC_CATEGORY_ZP || c == UTF8PROC_CATEGORY_CC;
}

static uint32_t cp_at(const char *text, size_t len, size_t off) {
  utf8proc_int32_t cp = -1;
  utf8proc_iterate((const utf8proc_uint8_t *)text + off, (utf8proc_ssize_t)(len - off), &cp);
  return (uint32_t)cp;
}

static uint32_t cp_before(const char *text, size_t off) {
  size_t b = off - 1;
  while (b > 0 && ((unsigned char)text[b] & 0xC0) == 0x80) b--;
  return cp_at(text, off, b);
}

static int on_boundary(const char *text, size_t len, uint32_t off) {
  return off == len || (off < len && ((unsigned char)text[off] & 0xC0) != 0x80);
}

/* The structural guarantees, checked on every input the tests segment. */
static void check_invariants(const char *text, size_t len, const lector_segments *seg) {
  size_t next_sentence = 0, next_token = 0;
  for (size_t p = 0; p < seg->paragraph_count; p++) {
    const lector_paragraph *pa = &seg->paragraphs[p];
    assert_true(pa->start < pa->stop);
    assert_true(pa->stop <= len);
    if (p > 0) assert_true(seg->paragraphs[p - 1].stop < pa->start);
    assert_int_equal(pa->first_sentence, next_sentence);
    assert_true(pa->sentence_count > 0);
    for (size_t s = pa->first_sentence; s < pa->first_sentence + pa->sentence_count; s++) {
      const lector_sentence *se = &seg->sentences[s];
      assert_int_equal(se->paragraph, p);
      assert_true(se->start >= pa->start && se->stop <= pa->stop);
      if (s > pa->first_sentence) assert_true(seg->sentences[s - 1].stop <= se->start);
      assert_int_equal(se->first_token, next_token);
      assert_true(se->token_count > 0);
      assert_int_equal(seg->tokens[se->first_token].start, se->start);
      assert_int_equal(seg->tokens[se->first_token + se->token_count - 1].stop, se->stop);
      next_token += se->token_count;
    }
    next_sentence += pa->sentence_count;
  }
  assert_int_equal(next_sentence, seg->sentence_count);
  assert_int_equal(next_token, seg->token_count);
  for (size_t t = 0; t < seg->token_count; t++) {
    const lector_token *tok = &seg->tokens[t];
    assert_true(tok->start < tok->stop && tok->stop <= len);
    assert_true(tok->kind < LECTOR_TOKEN_KIND_COUNT);
    if (t > 0) assert_true(seg->tokens[t - 1].stop <= tok->start);
    assert_true(on_boundary(text, len, tok->start));
    assert_true(on_boundary(text, len, tok->stop));
    assert_false(is_space_cp(cp_at(text, len, tok->start)));
    assert_false(is_space_cp(cp_before(text, tok->stop)));
    assert_null(memchr(text + tok->start, '\n', tok->stop - tok->start));
    assert_null(memchr(text + tok->start, ' ', tok->stop - tok->start));
  }
}

static void segment_checked(const char *text, size_t len, lector_segments *seg) {
  assert_int_equal(lector_segment(text, len, seg), LECTOR_OK);
  check_invariants(text, len, seg);
}

static void assert_sentences(const char *text, const lector_segments *seg,
                             const char *const *want) {
  size_t n = 0;
  while (want[n]) n++;
  for (size_t i = 0; i < n && i < seg->sentence_count; i++) {
    const lector_sentence *s = &seg->sentences[i];
    size_t len = s->stop - s->start;
    if (strlen(want[i]) != len || memcmp(text + s->start, want[i], len) != 0)
      fail_msg("sentence %zu: got [%.*s], want [%s]", i, (int)len, text + s->start, want[i]);
  }
  if (seg->sentence_count != n) {
    for (size_t i = 0; i < seg->sentence_count; i++)
      print_message("  got [%.*s]\n", (int)(seg->sentences[i].stop - seg->sentences[i].start),
                    text + seg->sentences[i].start);
    fail_msg("got %zu sentences, want %zu", seg->sentence_count, n);
  }
}

/* want: "kind text" strings for every token, in order. */
static void assert_tokens(const char *text, const lector_segments *seg,
                          const char *const *want) {
  size_t n = 0;
  while (want[n]) n++;
  for (size_t i = 0; i < n && i < seg->token_count; i++) {
    const lector_token *t = &seg->tokens[i];
    char got[512];
    snprintf(got, sizeof got, "%s %.*s", lector_token_kind_name((lector_token_kind)t->kind),
             (int)(t->stop - t->start), text + t->start);
    if (strcmp(got, want[i]) != 0) fail_msg("token %zu: got [%s], want [%s]", i, got, want[i]);
  }
  assert_int_equal(seg->token_count, n);
}

static char *read_fixture(size_t *len) {
  FILE *f = fopen(FIXTURE, "rb");
  if (!f) return NULL;
  char *buf = malloc(1 << 16);
  *len = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
  fclose(f);
  if (buf) buf[*len] = '\0';
  return buf;
}

/* ---- the fixture article ----------------------------------------------------- */

static const char *const fixture_sentences[] = {
  "Russia Reiterates Support for Venezuela, Maduro Gov’t Requests Military Assistance",
  "Two Russian military cargo planes landed in Caracas in recent days as Venezuela faces "
  "escalating US threats.",
  "Venezuela Russia military support",
  "Russian-supplied Sukhoi Su-30 fighter jets are among the Venezuelan armed forces’ most "
  "important assets. (AFP)",
  "Caracas, November 3, 2025 (venezuelanalysis.com) – The Russian government reaffirmed its "
  "support for the Nicolás Maduro administration as Venezuela faces a growing US military "
  "threat.",
  "Kremlin spokesperson Dmitry Peskov told Russian news agency Tass Sunday that Moscow remains "
  "in close contact with Caracas and wishes for peace to prevail in Latin America.",
  "“We want everything to remain peaceful, and we don’t want any new conflicts to arise in "
  "the region. The world is already full of conflicts,” he said Sunday.",
  "Peskov’s comments followed similar ones from Russian Foreign Ministry spokesperson Maria "
  "Zakharova, who reiterated calls for Latin America and the Caribbean to remain a “zone of "
  "peace” as well as her government’s “firm support for the Venezuelan government in "
  "defending its national sovereignty.”",
  "Zakharova added that the Vladimir Putin administration remained in close contact with its "
  "partners to assist them against “existing and potential threats.”",
  "Since August, the US has deployed warships, a submarine and thousands of troops in the "
  "Southern Caribbean Sea, while USS Gerald R. Ford aircraft carrier is also headed to the "
  "region with its strike group.",
  "US military aircraft have likewise entered Venezuela’s flight information region "
  "repeatedly in recent weeks.",
  "Washington has justified the military buildup as a purported crackdown on drug "
  "trafficking.",
  "US forces have launched strikes against at least 16 boats allegedly carrying US-bound "
  "narcotics, killing more than 60 civilians in the process, which United Nations (UN) "
  "experts have labeled extrajudicial executions.",
  "UN High Commissioner for Human Rights Volker Türk also condemned the US military actions, "
  "labeling them as “unacceptable” and calling for the US to cease its campaign.",
  "Foreign policy analysts have contended that the White House’s ultimate goal is to produce "
  "regime change in Venezuela via military pressure or a direct attack.",
  "Trump administration officials have repeatedly stated that US forces will soon bomb "
  "alleged drug targets inside Venezuelan territory, though the US president recently "
  "stated that he could not confirm the alleged plans to reporters.",
  "The US president previously authorized the CIA to conduct lethal operations inside the "
  "South American country.",
  "The Trump administration has accused Maduro and other high-ranking officials of "
  "“flooding” the US with narcotics.",
  "However, Washington has not presented court-tested evidence to sustain its claims.",
  "Reports from the United Nations Office on Drugs and Crime (UNODC) and the US Drug "
  "Enforcement Agency (DEA) have identified Venezuela as a marginal country in global drug "
  "trafficking.",
  "In a recent interview with 60 Minutes, Trump changed his rationale for the military "
  "buildup on Venezuela’s shores, alleging that the country had emptied its prisons and "
  "asylums into the US.",
  "The Trump administration has provided no evidence to back up any of its assertions.",
  "The Maduro government has responded to the US military escalation with large-scale "
  "defensive exercises and international denunciations, including at the United Nations "
  "Security Council.",
  "Caracas has likewise vowed not to fall for US provocations and condemned alleged false "
  "flag plots.",
  "The recent Kremlin statements of support followed a Washington Post report that Caracas "
  "had reached out to Russia, as well as China and Iran, for military assistance.",
  "According to US government documents seen by the Washington Post, Maduro requested "
  "“defensive radars, aircraft repairs and potentially missiles” in letters sent to the "
  "allied nations’ leaders.",
  "The report added that Caracas also requested GPS scramblers and drones from Iran.",
  "Concerning Russia, Venezuela allegedly proposed a three-year financing plan to cover "
  "purchases from Russia’s state-owned defense corporation Rostec.",
  "Venezuelan, Russian, Chinese and Iranian officials have not commented on the report.",
  "Moscow has been the Caribbean nation’s most important military ally in the past quarter "
  "century as the Hugo Chávez and Maduro governments sought to overcome the prior dependence "
  "of the country’s armed forces on US equipment.",
  "Last week, two Ilyushin Il-76 transport aircraft landed in Caracas.",
  "Their cargoes were not publicly disclosed.",
  "The flights, operated by Zicotrans, can transport loads up to 50 tons.",
  "Nevertheless, Russia’s military industry remains heavily weighed down by the ongoing "
  "conflict in Ukraine, which could limit its ability to assist allies such as Venezuela.",
  "Military analysts point to Venezuela’s Russian-supplied Sukhoi Su-30 MK2 fighter jets, "
  "equipped with supersonic Kh-31A anti-ship missiles, as one of the country’s most "
  "important deterrents.",
  "Venezuela received 24 Su-30 airplanes between 2006 and 2008, though it is not known if "
  "all remain operational.",
  "Venezuela’s air defenses additionally include Russian-supplied equipment, including the "
  "long-range S-300VM and the medium-range Buk-M2 surface-to-air missile systems, as well as "
  "portable Igla-S launchers.",
  "The Maduro and Putin governments have significantly expanded cooperation in recent years "
  "as both countries face wide-reaching Western economic sanctions.",
  "The two countries’ legislatures recently ratified a strategic cooperation treaty "
  "establishing a joint commitment to collaborate in areas including defense, energy, "
  "finance and diplomacy.",
  "On Friday, Venezuelan state airline Conviasa held the inaugural flight of a new weekly "
  "route connecting Caracas and Saint Petersburg.",
  "Edited by José Luis Granados Ceja in Mexico City, Mexico.",
  NULL,
};

static void fixture_sentence_list(void **state) {
  (void)state;
  size_t len;
  char *text = read_fixture(&len);
  assert_non_null(text);
  lector_segments seg;
  segment_checked(text, len, &seg);
  assert_sentences(text, &seg, fixture_sentences);
  assert_int_equal(seg.paragraph_count, 22);
  /* headline, standfirst + label + caption, dateline paragraph */
  assert_int_equal(seg.paragraphs[0].sentence_count, 1);
  assert_int_equal(seg.paragraphs[1].sentence_count, 3);
  assert_int_equal(seg.paragraphs[2].sentence_count, 1);
  lector_segments_free(&seg);
  free(text);
}

/* Tokens of the fixture that carry the segmenter's harder decisions. */
static void fixture_tokens(void **state) {
  (void)state;
  size_t len;
  char *text = read_fixture(&len);
  assert_non_null(text);
  lector_segments seg;
  segment_checked(text, len, &seg);
  static const char *const want[] = {
    "url venezuelanalysis.com", "word Su-30", "word Kh-31A", "word S-300VM", "word Buk-M2",
    "word Il-76", "word Igla-S", "word R.", "word Gov’t", "word don’t", "word Peskov’s",
    "word US-bound", "word surface-to-air", "number 2025", "punct –", "word UNODC",
    "word José", "word Türk", "number 60", "word MK2",
  };
  for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
    int found = 0;
    for (size_t t = 0; t < seg.token_count && !found; t++) {
      char got[128];
      const lector_token *tok = &seg.tokens[t];
      snprintf(got, sizeof got, "%s %.*s", lector_token_kind_name((lector_token_kind)tok->kind),
               (int)(tok->stop - tok->start), text + tok->start);
      found = strcmp(got, want[w]) == 0;
    }
    if (!found) fail_msg("token [%s] not found", want[w]);
  }
  lector_segments_free(&seg);
  free(text);
}

/* ---- adversarial sentence cases --------------------------------------------- */

typedef struct sentence_case {
  const char *name;
  const char *text;
  const char *const *sentences;
  int paragraphs;  /* -1: not checked */
} sentence_case;

#define SENTS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NONE ((const char *const[]){NULL})

/* Not const: cmocka hands each case to its test as mutable state. */
static sentence_case sentence_cases[] = {
  {"abbrev_us_then_sentence", "He moved to the U.S. The move surprised many.",
   SENTS("He moved to the U.S.", "The move surprised many."), 1},
  {"abbrev_us_navy", "The U.S. Navy sent ships. The U.K. and the U.N. agreed.",
   SENTS("The U.S. Navy sent ships.", "The U.K. and the U.N. agreed."), 1},
  {"abbrev_titles", "Mr. Smith met Dr. Jones and Gen. Lee. Then they ate.",
   SENTS("Mr. Smith met Dr. Jones and Gen. Lee.", "Then they ate."), 1},
  {"abbrev_titles_chain",
   "Sen. Warren, Rep. Ocasio-Cortez, Gov. Newsom, Lt. Col. Vindman and Mrs. Obama spoke.",
   SENTS("Sen. Warren, Rep. Ocasio-Cortez, Gov. Newsom, Lt. Col. Vindman and Mrs. Obama spoke."),
   1},
  {"abbrev_months", "The vote is set for Jan. 15 and Sept. 3. It may move to Feb. or Aug. 2.",
   SENTS("The vote is set for Jan. 15 and Sept. 3.", "It may move to Feb. or Aug. 2."), 1},
  {"abbrev_companies", "Apple Inc. and Acme Corp. merged with Smith Co. Ltd. last year.",
   SENTS("Apple Inc. and Acme Corp. merged with Smith Co. Ltd. last year."), 1},
  {"abbrev_company_ends_sentence", "He works for Acme Inc. The firm is small.",
   SENTS("He works for Acme Inc.", "The firm is small."), 1},
  {"abbrev_number_word", "He wore No. 10 all season. No. He did not.",
   SENTS("He wore No. 10 all season.", "No.", "He did not."), 1},
  {"abbrev_vs_etc", "It was Ohio State vs. Michigan, with pears, nuts, etc. and more.",
   SENTS("It was Ohio State vs. Michigan, with pears, nuts, etc. and more."), 1},
  {"abbrev_etc_ends_sentence", "They sold fruit, nuts, etc. Then they left.",
   SENTS("They sold fruit, nuts, etc.", "Then they left."), 1},
  {"abbrev_st_jr", "Martin Luther King Jr. visited St. Louis. It rained.",
   SENTS("Martin Luther King Jr. visited St. Louis.", "It rained."), 1},
  {"time_am_pm", "It starts at 10 a.m. Monday and ends at 5 p.m. The mood was tense.",
   SENTS("It starts at 10 a.m. Monday and ends at 5 p.m.", "The mood was tense."), 1},
  {"initials_ford", "USS Gerald R. Ford sailed. It is big.",
   SENTS("USS Gerald R. Ford sailed.", "It is big."), 1},
  {"initials_tolkien", "J. R. R. Tolkien wrote it. He died in 1973.",
   SENTS("J. R. R. Tolkien wrote it.", "He died in 1973."), 1},
  {"initials_spanish", "José L. Granados Ceja edited it.",
   SENTS("José L. Granados Ceja edited it."), 1},
  {"decimals", "Growth was 3.5 percent, up from 2.75 percent. Prices rose 0.5.",
   SENTS("Growth was 3.5 percent, up from 2.75 percent.", "Prices rose 0.5."), 1},
  {"thousands", "About 1,000 people paid 1.000.000 pesos, or 12,500.75 dollars. Wow.",
   SENTS("About 1,000 people paid 1.000.000 pesos, or 12,500.75 dollars.", "Wow."), 1},
  {"quote_closes_after_period", "He said, “We want peace.” Then he left.",
   SENTS("He said, “We want peace.”", "Then he left."), 1},
  {"quote_comma_attribution",
   "“We want calm. The world is full of conflicts,” he said Sunday. Others agreed.",
   SENTS("“We want calm. The world is full of conflicts,” he said Sunday.", "Others agreed."),
   1},
  {"quote_straight", "She said \"no.\" He agreed. \"Fine,\" she said.",
   SENTS("She said \"no.\"", "He agreed.", "\"Fine,\" she said."), 1},
  {"quote_question", "“Why?” he asked. “Because,” she said. “Really?” Yes.",
   SENTS("“Why?” he asked.", "“Because,” she said.", "“Really?”", "Yes."), 1},
  {"quote_unbalanced_open", "He said “we will go. Then nothing happened. The end.",
   SENTS("He said “we will go.", "Then nothing happened.", "The end."), 1},
  {"quote_unbalanced_close", "It ended.” Then more came. Done.",
   SENTS("It ended.”", "Then more came.", "Done."), 1},
  {"quote_nested", "“He told me ‘stop.’ I did,” she said. Then silence.",
   SENTS("“He told me ‘stop.’ I did,” she said.", "Then silence."), 1},
  {"quote_guillemets", "Il a dit « non. » Puis il est parti.",
   SENTS("Il a dit « non. »", "Puis il est parti."), 1},
  {"ellipsis_capital", "He paused... Then he spoke.", SENTS("He paused...", "Then he spoke."), 1},
  {"ellipsis_lowercase", "He paused... and then spoke… slowly. Done.",
   SENTS("He paused... and then spoke… slowly.", "Done."), 1},
  {"ellipsis_unicode", "Wait… What happened?", SENTS("Wait…", "What happened?"), 1},
  {"dashes", "The result — a surprise — came late–very late. Then calm.",
   SENTS("The result — a surprise — came late–very late.", "Then calm."), 1},
  {"multiple_terminators", "Really?! Yes!!! Fine. Why?!? Because.",
   SENTS("Really?!", "Yes!!!", "Fine.", "Why?!?", "Because."), 1},
  {"closing_bracket_after_stop", "(He left.) Then she did. [See above.] Done.",
   SENTS("(He left.)", "Then she did.", "[See above.]", "Done."), 1},
  {"parenthesis_credit", "The jets are important assets. (AFP)",
   SENTS("The jets are important assets. (AFP)"), 1},
  {"parenthesis_credit_then_line", "Jets are assets. (AFP)\nThe next line starts here.",
   SENTS("Jets are assets. (AFP)", "The next line starts here."), 1},
  {"parenthesis_long_aside",
   "He left. (The company declined to comment on the move.) She stayed.",
   SENTS("He left.", "(The company declined to comment on the move.)", "She stayed."), 1},
  {"parenthesis_acronyms",
   "Reports from the UN Office on Drugs and Crime (UNODC) were cited. They agree.",
   SENTS("Reports from the UN Office on Drugs and Crime (UNODC) were cited.", "They agree."), 1},
  {"domain_in_dateline",
   "Caracas, November 3, 2025 (venezuelanalysis.com) – The government spoke. It ended.",
   SENTS("Caracas, November 3, 2025 (venezuelanalysis.com) – The government spoke.",
         "It ended."), 1},
  {"urls_do_not_split", "Read https://example.com/a.b?c=1. Then see www.reuters.com/x. Ok.",
   SENTS("Read https://example.com/a.b?c=1.", "Then see www.reuters.com/x.", "Ok."), 1},
  {"email_does_not_split", "Write to john.smith@example.org. He replies fast.",
   SENTS("Write to john.smith@example.org.", "He replies fast."), 1},
  {"cjk_full_stops", "東京は晴れです。明日は雨でしょう！本当？",
   SENTS("東京は晴れです。", "明日は雨でしょう！", "本当？"), 1},
  {"cjk_mixed_latin", "我们在 Caracas 见面。 Then we left.",
   SENTS("我们在 Caracas 见面。", "Then we left."), 1},
  {"rtl_arabic", "هل أنت بخير؟ نعم، أنا بخير۔", SENTS("هل أنت بخير؟", "نعم، أنا بخير۔"), 1},
  {"rtl_hebrew", "שלום עולם. צה״ל אמר.", SENTS("שלום עולם.", "צה״ל אמר."), 1},
  {"devanagari_danda", "भारत एक देश है। यह बड़ा है।", SENTS("भारत एक देश है।", "यह बड़ा है।"), 1},
  {"list_numbers", "1. Buy milk\n2. Sell eggs\n3. Go home",
   SENTS("1. Buy milk", "2. Sell eggs", "3. Go home"), 1},
  {"list_bullets", "Key points:\n- Prices rose\n- Jobs fell",
   SENTS("Key points:", "- Prices rose", "- Jobs fell"), 1},
  {"headline_without_period",
   "Venezuela Russia military support\nRussian jets arrived in Caracas on Friday.",
   SENTS("Venezuela Russia military support", "Russian jets arrived in Caracas on Friday."), 1},
  {"headline_title_case_long_line",
   "Russia Reiterates Support for Venezuela as Maduro Requests Help\n"
   "Two Russian planes landed in Caracas in recent days as Venezuela faces threats.",
   SENTS("Russia Reiterates Support for Venezuela as Maduro Requests Help",
         "Two Russian planes landed in Caracas in recent days as Venezuela faces threats."), 1},
  {"soft_wrap_lowercase", "This short line\ncontinues here.",
   SENTS("This short line\ncontinues here."), 1},
  {"hard_wrapped_newswire",
   "Cocoa farmers in the western region said heavy rains late in\n"
   "the season had improved the outlook for the main crop, which\n"
   "Analysts at the Smith Commodities firm now put at 410,000\n"
   "tonnes against 380,000 last year, the company said.\n"
   "    Exports for the week ended March 3 reached 12,300 tonnes,\n"
   "bringing the season total to 95,400 tonnes. Shipments to\n"
   "Europe made up most of the rise.\n"
   "    The company did not give a forecast for next season.\n",
   SENTS("Cocoa farmers in the western region said heavy rains late in\n"
         "the season had improved the outlook for the main crop, which\n"
         "Analysts at the Smith Commodities firm now put at 410,000\n"
         "tonnes against 380,000 last year, the company said.",
         "Exports for the week ended March 3 reached 12,300 tonnes,\n"
         "bringing the season total to 95,400 tonnes.",
         "Shipments to\nEurope made up most of the rise.",
         "The company did not give a forecast for next season."), 3},
  {"wrapped_first_line_without_its_dateline",
   "Standard Oil Co and BP North America\n"
   "Inc said they plan to form a venture to manage the money market\n"
   "borrowing and investment activities of both companies.\n",
   SENTS("Standard Oil Co and BP North America\n"
         "Inc said they plan to form a venture to manage the money market\n"
         "borrowing and investment activities of both companies."), 1},
  {"wrapped_name_that_looks_like_a_heading",
   "The Stock Exchange of Singapore plans to list shares traded on the\n"
   "National Association of Securities Dealers Automated Quotation\n"
   "System in the United States from next month, officials said in\n"
   "a statement issued on Friday after the close of trading in the\n"
   "city.\n",
   SENTS("The Stock Exchange of Singapore plans to list shares traded on the\n"
         "National Association of Securities Dealers Automated Quotation\n"
         "System in the United States from next month, officials said in\n"
         "a statement issued on Friday after the close of trading in the\n"
         "city."), 1},
  {"wrapped_after_a_title_case_headline",
   "Markets Rally Again\nStocks rose sharply on Monday as traders\nbought banks.",
   SENTS("Markets Rally Again", "Stocks rose sharply on Monday as traders\nbought banks."), 1},
  {"wrapped_after_a_headline_and_before_a_dateline",
   "Markets rally again\nLONDON (Reuters) - Stocks rose sharply on Monday as\n"
   "traders bought banks and miners, dealers said.",
   SENTS("Markets rally again", "LONDON (Reuters) - Stocks rose sharply on Monday as\n"
         "traders bought banks and miners, dealers said."), 1},
  {"line_ending_on_a_function_word_goes_on",
   "MidCon Corp, a subsidiary of\nOccidental Petroleum Corp, said it would sell its pipeline.",
   SENTS("MidCon Corp, a subsidiary of\nOccidental Petroleum Corp, said it would sell its pipeline."),
   1},
  {"line_ending_on_a_possessive_goes_on",
   "Esselte Business Systems Inc's\nEsselte Meto division said it has bought a label maker.",
   SENTS("Esselte Business Systems Inc's\nEsselte Meto division said it has bought a label maker."),
   1},
  {"line_inside_a_bracket_goes_on",
   "<America First Federally Guaranteed\nMortgage Fund Two> said it is making a payment.",
   SENTS("<America First Federally Guaranteed\nMortgage Fund Two> said it is making a payment."),
   1},
  {"line_before_a_company_suffix_goes_on",
   "Medco Containment Services\nInc said its board declared a dividend.",
   SENTS("Medco Containment Services\nInc said its board declared a dividend."), 1},
  {"line_before_a_bracketed_short_form_goes_on",
   "The Nuclear Regulatory Commission\n(NRC) proposed to ease evacuation standards.",
   SENTS("The Nuclear Regulatory Commission\n(NRC) proposed to ease evacuation standards."), 1},
  {"headline_before_a_credit_stays_apart",
   "Storm Hits Coast\n(AFP) - Heavy rain fell on the coast on Monday.",
   SENTS("Storm Hits Coast", "(AFP) - Heavy rain fell on the coast on Monday."), 1},
  {"wrapped_long_first_line_before_an_acronym",
   "Traders and analysts in international oil markets estimate\n"
   "OPEC is producing up to one mln bpd above a ceiling of 15.8 mln\n"
   "barrels, and prices may fall further, they said.\n",
   SENTS("Traders and analysts in international oil markets estimate\n"
         "OPEC is producing up to one mln bpd above a ceiling of 15.8 mln\n"
         "barrels, and prices may fall further, they said."), 1},
  {"dot_leader_table_is_no_prose",
   "Money market rates on Monday:\n"
   "    O/N Repos.......58.9 vs 59.0 pct on the day before\n"
   "    O/N Euros.......18.6 vs 19.2 pct on the day before\n"
   "    Term Repos......55.1 vs 55.3 pct on the day before\n",
   SENTS("Money market rates on Monday:", "O/N Repos.......58.9 vs 59.0 pct on the day before",
         "O/N Euros.......18.6 vs 19.2 pct on the day before",
         "Term Repos......55.1 vs 55.3 pct on the day before"), 2},
  {"headline_ending_on_a_particle",
   "Mobile multimedia slow to catch on\nThere is no denying that the phones are selling well.",
   SENTS("Mobile multimedia slow to catch on",
         "There is no denying that the phones are selling well."), 1},
  {"address_line_before_a_county",
   "Ballymena\nCo Antrim\nNorthern Ireland",
   SENTS("Ballymena", "Co Antrim", "Northern Ireland"), 1},
  {"list_items_after_wrapped_prose",
   "The budget announced on Friday by the finance minister makes these\n"
   "- Expanded the service tax net to cover more of the trades\n"
   "- Raised the excise duty on cigarettes by ten pct from April 1\n"
   "- Cut the corporate tax rate to 35 pct from 40 pct for all\n",
   SENTS("The budget announced on Friday by the finance minister makes these",
         "- Expanded the service tax net to cover more of the trades",
         "- Raised the excise duty on cigarettes by ten pct from April 1",
         "- Cut the corporate tax rate to 35 pct from 40 pct for all"), 1},
  {"dash_before_lower_case_goes_on",
   "The minister said the plan would pass without changes in the house\n"
   "- a claim the opposition denied - and that the vote would be on Friday.",
   SENTS("The minister said the plan would pass without changes in the house\n"
         "- a claim the opposition denied - and that the vote would be on Friday."), 1},
  {"table_of_short_lines",
   "Acme Corp said.\n    Shr 1.00 dlrs vs 1.50 dlrs\n    Net 2.5 mln vs 3.0 mln\n"
   "    Revs 50.0 mln vs 45.0 mln\n",
   SENTS("Acme Corp said.", "Shr 1.00 dlrs vs 1.50 dlrs", "Net 2.5 mln vs 3.0 mln",
         "Revs 50.0 mln vs 45.0 mln"), 2},
  {"evenly_indented_block", "    One line that is indented.\n    Another line.\n",
   SENTS("One line that is indented.", "Another line."), 1},
  {"blank_lines_paragraphs", "One.\n\nTwo.\n   \t\nThree.\n\n\n",
   SENTS("One.", "Two.", "Three."), 3},
  {"crlf_free_trailing_spaces", "  Leading and trailing.   ", SENTS("Leading and trailing."), 1},
  {"no_final_newline", "Last sentence without a newline",
   SENTS("Last sentence without a newline"), 1},
  {"single_word", "Hello", SENTS("Hello"), 1},
  {"lowercase_after_unknown_abbreviation", "He used the cmd. line tool daily.",
   SENTS("He used the cmd. line tool daily."), 1},
  {"number_then_capital", "Sales rose in 2008. Profits fell.",
   SENTS("Sales rose in 2008.", "Profits fell."), 1},
  {"empty", "", NONE, 0},
  {"whitespace_only", "  \n\t\n   \n", NONE, 0},
  {"unicode_spaces", "Hi\u00a0there.\u2003Then\u3000more.", SENTS("Hi\u00a0there.", "Then\u3000more."),
   1},
};

static void run_sentence_case(void **state) {
  const sentence_case *c = *state;
  lector_segments seg;
  segment_checked(c->text, strlen(c->text), &seg);
  assert_sentences(c->text, &seg, c->sentences);
  if (c->paragraphs >= 0) assert_int_equal(seg.paragraph_count, (size_t)c->paragraphs);
  lector_segments_free(&seg);
}

/* ---- token cases -------------------------------------------------------------- */

typedef struct token_case {
  const char *name;
  const char *text;
  const char *const *tokens;
} token_case;

#define TOKS(...) ((const char *const[]){__VA_ARGS__, NULL})

static token_case token_cases[] = {
  {"tokens_designators", "Su-30 MK2, Kh-31A S-300VM Buk-M2 Il-76 anti-ship",
   TOKS("word Su-30", "word MK2", "punct ,", "word Kh-31A", "word S-300VM", "word Buk-M2",
        "word Il-76", "word anti-ship")},
  {"tokens_apostrophes", "don’t Peskov’s Gov’t O'Brien forces’ ’90s",
   TOKS("word don’t", "word Peskov’s", "word Gov’t", "word O'Brien", "word forces", "punct ’",
        "punct ’", "number 90s")},
  {"tokens_numbers", "$1.5 billion, 50% at 10:30 in 2006, the 3rd, 1,000.5 and 10km",
   TOKS("symbol $", "number 1.5", "word billion", "punct ,", "number 50", "symbol %",
        "word at", "number 10:30", "word in", "number 2006", "punct ,", "word the",
        "number 3rd", "punct ,", "number 1,000.5", "word and", "word 10km")},
  {"tokens_abbreviations", "U.S. Mr. R. etc. e.g. a.m. end.",
   TOKS("word U.S.", "word Mr.", "word R.", "word etc.", "word e.g.", "word a.m.", "word end",
        "punct .")},
  {"tokens_urls", "(https://en.wikipedia.org/wiki/Foo_(bar)) www.example.com, http://x.org/a.",
   TOKS("punct (", "url https://en.wikipedia.org/wiki/Foo_(bar)", "punct )",
        "url www.example.com", "punct ,", "url http://x.org/a", "punct .")},
  {"tokens_domain_and_email", "venezuelanalysis.com jane_doe+news@mail.example.co.uk report.pdf",
   TOKS("url venezuelanalysis.com", "email jane_doe+news@mail.example.co.uk", "word report",
        "punct .", "word pdf")},
  {"tokens_emoji", "Yay 🎉👍🏽 👨‍👩‍👧 🇺🇸🇻🇪 1️⃣ ❤️ ©",
   TOKS("word Yay", "emoji 🎉", "emoji 👍🏽", "emoji 👨‍👩‍👧", "emoji 🇺🇸", "emoji 🇻🇪",
        "emoji 1️⃣", "emoji ❤️", "symbol ©")},
  {"tokens_cjk", "東京は晴れ。カタカナ",
   TOKS("word 東", "word 京", "word は", "word 晴", "word れ", "punct 。", "word カタカナ")},
  {"tokens_rtl", "مرحبا بالعالم؟ צה״ל",
   TOKS("word مرحبا", "word بالعالم", "punct ؟", "word צה״ל")},
  {"tokens_combining_marks", "e\xcc\x81te\xcc\x81 ха\xcc\x81ос हिन्दी",
   TOKS("word e\xcc\x81te\xcc\x81", "word ха\xcc\x81ос", "word हिन्दी")},
  {"tokens_quotes_and_brackets", "“Hi,” (she) [said] {x} «oui» „ja“",
   TOKS("punct “", "word Hi", "punct ,", "punct ”", "punct (", "word she", "punct )",
        "punct [", "word said", "punct ]", "punct {", "word x", "punct }", "punct «",
        "word oui", "punct »", "punct „", "word ja", "punct “")},
  {"tokens_symbols_and_other", "x&y AT&T 5 + 3 = 8 # @ \xe2\x80\x8d",
   TOKS("word x", "symbol &", "word y", "word AT&T", "number 5", "symbol +", "number 3",
        "symbol =", "number 8", "symbol #", "symbol @", "other \xe2\x80\x8d")},
  {"tokens_ellipsis_and_dashes", "so... then… well -- ok — fine",
   TOKS("word so", "punct ...", "word then", "punct …", "word well", "punct --", "word ok",
        "punct —", "word fine")},
  /* every kind of white space between tokens: control characters, DEL, and
   * the non-ASCII spaces and invisible marks, before a word and a mark */
  {"tokens_between_white_space_of_every_kind",
   "a\x01" "b\tc\vd\fe\rf\x7f" "g\x1f" "h\xc2\xa0i\xe2\x80\x83j\xe2\x80\x8bk\xef\xbb\xbf,"
   "\xe2\x80\x8e" "l\xe3\x80\x80M\n,",
   TOKS("word a", "word b", "word c", "word d", "word e", "word f", "word g", "word h",
        "word i", "word j", "word k", "punct ,", "word l", "word M", "punct ,")},
};

static void run_token_case(void **state) {
  const token_case *c = *state;
  lector_segments seg;
  segment_checked(c->text, strlen(c->text), &seg);
  assert_tokens(c->text, &seg, c->tokens);
  lector_segments_free(&seg);
}

/* ---- shapes, folding, kind names ---------------------------------------------- */

static void token_shapes(void **state) {
  (void)state;
  static const char *const cases[][2] = {
    {"Venezuela", "Xxxxx"}, {"Su-30", "Xx-dd"}, {"S-300VM", "X-dddXX"}, {"60", "dd"},
    {"UNODC", "XXXX"}, {"José", "Xxxx"}, {"U.S.", "X.X."}, {"1,000.50", "d,ddd.dd"},
    {"don’t", "xxx’x"}, {"-----", "----"}, {"東京", "xx"}, {"", ""},
  };
  char out[64];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t n = lector_token_shape(cases[i][0], strlen(cases[i][0]), out, sizeof out);
    assert_string_equal(out, cases[i][1]);
    assert_int_equal(n, strlen(cases[i][1]));
  }
  /* a small buffer: cut, NUL-terminated, never mid-character */
  assert_int_equal(lector_token_shape("Venezuela", 9, out, 3), 2);
  assert_string_equal(out, "Xx");
  assert_int_equal(lector_token_shape("a’b", 5, out, 4), 1);
  assert_string_equal(out, "x");
  assert_int_equal(lector_token_shape("abc", 3, out, 0), 0);
}

static void token_folding(void **state) {
  (void)state;
  static const char *const cases[][2] = {
    {"Türk", "türk"}, {"STRASSE", "strasse"}, {"Straße", "strasse"}, {"ΣΟΦΙΑ", "σοφια"},
    {"Nicolás", "nicolás"}, {"İstanbul", "i\xcc\x87stanbul"}, {"", ""}, {"USS", "uss"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t n = 99;
    char *f = lector_token_fold(cases[i][0], strlen(cases[i][0]), &n);
    assert_non_null(f);
    assert_string_equal(f, cases[i][1]);
    assert_int_equal(n, strlen(cases[i][1]));
    free(f);
  }
  /* a slice of a longer string: only len bytes are read */
  size_t n;
  char *f = lector_token_fold("ÄBC and more", 3, &n);
  assert_non_null(f);
  assert_string_equal(f, "äb");
  free(f);
}

static void token_kind_names(void **state) {
  (void)state;
  static const char *const names[] = {"word", "number", "punct", "symbol",
                                      "url", "email", "emoji", "other"};
  for (int k = 0; k < LECTOR_TOKEN_KIND_COUNT; k++)
    assert_string_equal(lector_token_kind_name((lector_token_kind)k), names[k]);
  assert_string_equal(lector_token_kind_name(LECTOR_TOKEN_KIND_COUNT), "unknown");
}

/* ---- pathological input: must finish, linearly, with the right counts ------- */

static char *filled(size_t n, const char *unit) {
  size_t u = strlen(unit);
  char *b = malloc(n + 1);
  assert_non_null(b);
  for (size_t i = 0; i < n; i++) b[i] = unit[i % u];
  b[n] = '\0';
  return b;
}

static void segment_counts(const char *text, size_t len, size_t paragraphs, size_t sentences,
                           size_t tokens) {
  lector_segments seg;
  segment_checked(text, len, &seg);
  assert_int_equal(seg.paragraph_count, paragraphs);
  assert_int_equal(seg.sentence_count, sentences);
  assert_int_equal(seg.token_count, tokens);
  lector_segments_free(&seg);
}

#define MEG ((size_t)1 << 20)

static void huge_run_without_punctuation(void **state) {
  (void)state;
  char *b = filled(MEG, "a");
  segment_counts(b, MEG, 1, 1, 1);
  free(b);
  b = filled(MEG, "word ");
  segment_counts(b, MEG - MEG % 5, 1, 1, MEG / 5);
  free(b);
}

static void huge_run_of_periods(void **state) {
  (void)state;
  char *b = filled(MEG, ".");
  segment_counts(b, MEG, 1, 1, 1);
  free(b);
  b = filled(MEG, "a.");  /* one acronym-like token */
  segment_counts(b, MEG, 1, 1, 1);
  free(b);
  b = filled(MEG, "Ab. ");  /* a sentence each */
  segment_counts(b, MEG, 1, MEG / 4, MEG / 2);
  for (size_t i = 0; i < MEG; i += 4) b[i] = 'a';  /* lower case: no sentence ends */
  segment_counts(b, MEG, 1, 1, MEG / 2);
  free(b);
}

static void huge_run_of_open_quotes(void **state) {
  (void)state;
  char *b = filled(3 * (MEG / 4), "“");
  segment_counts(b, 3 * (MEG / 4), 1, 1, MEG / 4);
  free(b);
  b = filled(MEG, "\" ");
  segment_counts(b, MEG, 1, 1, MEG / 2);
  free(b);
}

static void deeply_nested_brackets(void **state) {
  (void)state;
  size_t half = MEG / 2;
  char *b = malloc(2 * half + 2);
  assert_non_null(b);
  memset(b, '(', half);
  b[half] = 'x';
  memset(b + half + 1, ')', half);
  b[2 * half + 1] = '\0';
  segment_counts(b, 2 * half + 1, 1, 1, 2 * half + 1);
  free(b);
}

static void huge_runs_of_lookahead_bait(void **state) {
  (void)state;
  /* each would cost a rescan per token in a naive scanner */
  char *b = filled(MEG, "abc.");
  segment_counts(b, MEG, 1, 1, MEG / 2);
  free(b);
  b = filled(MEG, "a@");
  segment_counts(b, MEG, 1, 1, MEG);
  free(b);
  b = filled(MEG, "a\n");
  segment_counts(b, MEG, 1, 1, MEG / 2);
  free(b);
  b = filled(MEG, "\n");
  segment_counts(b, MEG, 0, 0, 0);
  free(b);
}

/* A text whose last token runs to the end of its buffer, with no NUL or
 * space after it: the word and number scanners read up to a paragraph's end
 * without a bounds check when more text follows, and must not when none
 * does. Each text is copied into a buffer of exactly its length, so the
 * address sanitizer sees a read past it. */
static void last_token_at_the_buffer_end(void **state) {
  (void)state;
  static const struct { const char *text; size_t tokens; int kind; } cases[] = {
    {"word", 1, LECTOR_TOKEN_WORD},
    {"Two words", 2, LECTOR_TOKEN_WORD},
    {"One.\n\nTwo paragraphs", 4, LECTOR_TOKEN_WORD},
    {"indented\n  line end", 3, LECTOR_TOKEN_WORD},
    {"x", 1, LECTOR_TOKEN_WORD},
    {"rock-n-roll", 1, LECTOR_TOKEN_WORD},
    {"caf\xc3\xa9", 1, LECTOR_TOKEN_WORD},
    {"no\xc2\xa0" "break", 2, LECTOR_TOKEN_WORD},
    {"12 345", 2, LECTOR_TOKEN_NUMBER},
    {"3rd", 1, LECTOR_TOKEN_NUMBER},
    {"10km", 1, LECTOR_TOKEN_WORD},
    {"www.example", 1, LECTOR_TOKEN_URL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t len = strlen(cases[i].text);
    char *b = malloc(len);
    assert_non_null(b);
    memcpy(b, cases[i].text, len);
    lector_segments seg;
    segment_checked(b, len, &seg);
    assert_int_equal(seg.token_count, cases[i].tokens);
    assert_int_equal(seg.tokens[seg.token_count - 1].stop, len);
    assert_int_equal(seg.tokens[seg.token_count - 1].kind, cases[i].kind);
    lector_segments_free(&seg);
    free(b);
  }
}

/* Segment a copy of text[0, len) in a buffer of exactly that size and
 * check that its first token is [0, stop) of the given kind. */
static void first_token_is(const char *text, size_t len, size_t stop, int kind) {
  char *b = malloc(len);
  assert_non_null(b);
  memcpy(b, text, len);
  lector_segments seg;
  segment_checked(b, len, &seg);
  assert_true(seg.token_count > 0);
  if (seg.tokens[0].start != 0 || seg.tokens[0].stop != stop)
    fail_msg("[%.*s]: first token [%u, %u), want [0, %zu)", (int)len, text,
             seg.tokens[0].start, seg.tokens[0].stop, stop);
  assert_int_equal(seg.tokens[0].kind, kind);
  lector_segments_free(&seg);
  free(b);
}

/* Runs of ASCII letters and digits are measured eight bytes at a time
 * while eight are left in the text, then a byte at a time: a word of every
 * length from 1 to 24 must end where it does, at the buffer's end, before
 * each ASCII byte that is no letter or digit (those next to the ranges,
 * '/' ':' '@' '[' '`' '{', among them), and before a character whose lead
 * byte has a letter's low seven bits (U+1E9E is E1 BA 9E, Hebrew alef
 * D7 90), which carries the word on. */
static void word_runs_of_every_length(void **state) {
  (void)state;
  static const char letters[] = "azAZ09mMbY5xQ";
  char text[64];
  for (size_t n = 1; n <= 24; n++) {
    for (size_t i = 0; i < n; i++) text[i] = i == 0 ? 'w' : letters[i % (sizeof letters - 1)];
    first_token_is(text, n, n, LECTOR_TOKEN_WORD);
    for (unsigned c = 0x21; c < 0x7F; c++) {
      if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) continue;
      text[n] = (char)c;
      first_token_is(text, n + 1, n, LECTOR_TOKEN_WORD);
      if (strchr("-'&.", (int)c)) continue;  /* these may join the next letter */
      text[n + 1] = 'x';
      first_token_is(text, n + 2, n, LECTOR_TOKEN_WORD);
    }
    memcpy(text + n, "\xE1\xBA\x9E", 3);
    first_token_is(text, n + 3, n + 3, LECTOR_TOKEN_WORD);
    memcpy(text + n, "\xD7\x90 x", 4);
    first_token_is(text, n + 4, n + 2, LECTOR_TOKEN_WORD);
    memcpy(text + n, "\xE2\x80\x94", 3);  /* an em dash ends it */
    first_token_is(text, n + 3, n, LECTOR_TOKEN_WORD);
    memcpy(text + n, "\n\nnext", 6);       /* and so does a paragraph's end */
    first_token_is(text, n + 6, n, LECTOR_TOKEN_WORD);
  }
}

/* Whether the first token of a copy of text in a buffer of exactly its
 * size is want, "kind text" as in assert_tokens. */
static void first_token_reads(const char *text, const char *want) {
  const char *space = strchr(want, ' ');
  assert_non_null(space);
  size_t stop = strlen(space + 1);
  assert_memory_equal(text, space + 1, stop);
  int kind = 0;
  while (kind < LECTOR_TOKEN_KIND_COUNT &&
         strncmp(lector_token_kind_name((lector_token_kind)kind), want, (size_t)(space - want)))
    kind++;
  first_token_is(text, strlen(text), stop, kind);
}

/* A plain word is told from a URL or an e-mail address by the byte after
 * its letters: "http:", "www.", "j_smith@" take the long way, and a word
 * that only looks like their start stays a word. A word before a period
 * and white space takes a short way of its own. */
static void plain_words_by_the_byte_after_them(void **state) {
  (void)state;
  static const char *const cases[][2] = {
    {"http://example.com/a", "url http://example.com/a"},
    {"HTTPS://example.com", "url HTTPS://example.com"},
    {"www.example.com", "url www.example.com"},
    {"http: no", "word http"},
    {"https", "word https"},
    {"wwwx.", "word wwwx"},
    {"john@example.org", "email john@example.org"},
    {"j_smith@example.org", "email j_smith@example.org"},
    {"j%x+y-z.w@example.org", "email j%x+y-z.w@example.org"},
    {"j_smith", "word j"},
    {"smith@", "word smith"},
    {"said: yes", "word said"},
    /* a period and then white space or the buffer's end: an abbreviation
     * keeps it, any other word does not */
    {"Inc.", "word Inc."},
    {"said.", "word said"},
    {"R.", "word R."},
    {"r.", "word r"},
    {"No.", "word No"},
    {"No. 5", "word No."},
    {"No.\t5", "word No."},
    {"No. more", "word No"},
    {"etc.\nX", "word etc."},
    {"Mr.\xc2\xa0Smith", "word Mr."},
    {"said.\xc2\xa0Then", "word said"},
    {"www. x", "word www"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    first_token_reads(cases[i][0], cases[i][1]);
}

static void refuses_oversized_input(void **state) {
  (void)state;
  lector_segments seg;
  memset(&seg, 0x5A, sizeof seg);
  assert_int_equal(lector_segment("x", LECTOR_HARD_MAX_DOC_BYTES + 1, &seg), LECTOR_ETOOLARGE);
  assert_null(seg.tokens);
  assert_int_equal(seg.token_count, 0);
  assert_int_equal(lector_segment(NULL, 3, &seg), LECTOR_EINVAL);
  assert_int_equal(lector_segment(NULL, 0, &seg), LECTOR_OK);
  assert_int_equal(seg.paragraph_count, 0);
  lector_segments_free(&seg);
  lector_segments_free(&seg);
}

/* ---- runner --------------------------------------------------------------------- */

int main(void) {
  static const struct CMUnitTest fixed[] = {
    cmocka_unit_test(fixture_sentence_list),
    cmocka_unit_test(fixture_tokens),
    cmocka_unit_test(token_shapes),
    cmocka_unit_test(token_folding),
    cmocka_unit_test(token_kind_names),
    cmocka_unit_test(huge_run_without_punctuation),
    cmocka_unit_test(huge_run_of_periods),
    cmocka_unit_test(huge_run_of_open_quotes),
    cmocka_unit_test(deeply_nested_brackets),
    cmocka_unit_test(huge_runs_of_lookahead_bait),
    cmocka_unit_test(last_token_at_the_buffer_end),
    cmocka_unit_test(word_runs_of_every_length),
    cmocka_unit_test(plain_words_by_the_byte_after_them),
    cmocka_unit_test(refuses_oversized_input),
  };
  enum {
    FIXED = sizeof fixed / sizeof fixed[0],
    SENTENCE_CASES = sizeof sentence_cases / sizeof sentence_cases[0],
    TOKEN_CASES = sizeof token_cases / sizeof token_cases[0],
  };
  static struct CMUnitTest tests[FIXED + SENTENCE_CASES + TOKEN_CASES];
  size_t n = 0;
  for (size_t i = 0; i < FIXED; i++) tests[n++] = fixed[i];
  for (size_t i = 0; i < SENTENCE_CASES; i++) {
    tests[n].name = sentence_cases[i].name;
    tests[n].test_func = run_sentence_case;
    tests[n].initial_state = &sentence_cases[i];
    n++;
  }
  for (size_t i = 0; i < TOKEN_CASES; i++) {
    tests[n].name = token_cases[i].name;
    tests[n].test_func = run_token_case;
    tests[n].initial_state = &token_cases[i];
    n++;
  }
  return _cmocka_run_group_tests("segment", tests, n, NULL, NULL);
}
