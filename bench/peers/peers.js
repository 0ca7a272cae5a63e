// One peer library over a corpus, in its own process, for `make bench-peers`:
//   node bench/peers/peers.js TASK CORPUS.jsonl [SENTENCES.jsonl]
// Reads every record's text into memory first (not timed), then loads the
// library (timed as load_s) and processes every text (timed as seconds);
// load_cpu_s and cpu_s are the processor time of the same two steps.
// Prints one line of key=value pairs for bench/peers/peers.lua.
//
// TASK:
//   wink-ner-sentiment  wink-nlp with the sbd, negation, sentiment and ner
//                       pipes: entities and the sentiment of every sentence
//                       and of the document
//   wink-full           wink-nlp's default pipeline (adds pos and cer) with
//                       the same outputs
//   compromise          compromise's people, places and organizations
//   vader               vader-sentiment's polarity_scores on every sentence
//                       of SENTENCES.jsonl (one JSON array of sentence texts
//                       per record, as lector splits them)
'use strict';
const fs = require('fs');

function fail(message) {
  process.stderr.write('peers.js: ' + message + '\n');
  process.exit(2);
}

function readJsonl(path) {
  let data;
  try {
    data = fs.readFileSync(path, 'utf8');
  } catch (e) {
    fail(path + ': ' + e.message);
  }
  const values = [];
  for (const line of data.split('\n')) {
    if (line.trim() === '') continue;
    values.push(JSON.parse(line));
  }
  return values;
}

const PACKAGES = {
  'wink-ner-sentiment': ['wink-nlp', 'wink-eng-lite-web-model'],
  'wink-full': ['wink-nlp', 'wink-eng-lite-web-model'],
  compromise: ['compromise'],
  vader: ['vader-sentiment'],
};

// "name@version+name@version", as installed.
function versions(task) {
  const path = require('path');
  return PACKAGES[task].map((name) => {
    const manifest = path.join(__dirname, 'node_modules', name, 'package.json');
    return name + '@' + JSON.parse(fs.readFileSync(manifest, 'utf8')).version;
  }).join('+');
}

function seconds(since) {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

// Processor seconds (user and system, every thread of the process) since a
// process.cpuUsage() reading.
function cpuSeconds(since) {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

// Each task loads its library and returns a function that processes one
// input (a text, or a list of sentences) and returns how many results it got.
const TASKS = {
  'wink-ner-sentiment': () => winkTask(['sbd', 'negation', 'sentiment', 'ner']),
  'wink-full': () => winkTask(undefined),
  compromise: () => {
    const nlp = require('compromise');
    return (text) => {
      const doc = nlp(text);
      return doc.people().out('array').length + doc.places().out('array').length +
        doc.organizations().out('array').length;
    };
  },
  vader: () => {
    const analyzer = require('vader-sentiment').SentimentIntensityAnalyzer;
    return (sentences) => {
      let items = 0;
      for (const s of sentences) {
        if (typeof analyzer.polarity_scores(s).compound === 'number') items++;
      }
      return items;
    };
  },
};

function winkTask(pipe) {
  const winkNLP = require('wink-nlp');
  const model = require('wink-eng-lite-web-model');
  const nlp = pipe ? winkNLP(model, pipe) : winkNLP(model);
  const its = nlp.its;
  return (text) => {
    const doc = nlp.readDoc(text);
    const entities = doc.entities().out(its.detail);
    const perSentence = doc.sentences().out(its.sentiment);
    const overall = doc.out(its.sentiment);
    return entities.length + perSentence.length + (typeof overall === 'number' ? 1 : 0);
  };
}

function main(argv) {
  const [task, corpusPath, sentencesPath] = argv;
  if (!TASKS[task]) {
    fail(`unknown task ${JSON.stringify(task)} (${Object.keys(TASKS).join(', ')})`);
  }
  if (!corpusPath) fail('usage: peers.js TASK CORPUS.jsonl [SENTENCES.jsonl]');
  const texts = readJsonl(corpusPath)
    .filter((r) => r && typeof r.text === 'string')
    .map((r) => r.text);
  let inputs = texts;
  if (task === 'vader') {
    if (!sentencesPath) fail('vader needs SENTENCES.jsonl');
    inputs = readJsonl(sentencesPath);
    if (inputs.length !== texts.length) {
      fail(`${sentencesPath} has ${inputs.length} records, the corpus ${texts.length}`);
    }
  }
  let bytes = 0;
  for (const t of texts) bytes += Buffer.byteLength(t, 'utf8');

  const loadStart = process.hrtime.bigint();
  const loadCpu = process.cpuUsage();
  const run = TASKS[task]();
  const loadSeconds = seconds(loadStart);
  const loadCpuSeconds = cpuSeconds(loadCpu);

  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let items = 0;
  for (const input of inputs) items += run(input);
  const runSeconds = seconds(start);
  const runCpuSeconds = cpuSeconds(cpu);

  const rss = process.resourceUsage().maxRSS; // KiB
  console.log(`task=${task} packages=${versions(task)} docs=${inputs.length} bytes=${bytes} ` +
    `items=${items} ` +
    `load_s=${loadSeconds.toFixed(6)} load_cpu_s=${loadCpuSeconds.toFixed(6)} ` +
    `seconds=${runSeconds.toFixed(6)} cpu_s=${runCpuSeconds.toFixed(6)} peak_rss_kb=${rss}`);
}

main(process.argv.slice(2));
