#!/usr/bin/env python3
"""Sentence-level language identification from the translated manual pages Debian installs.

  /usr/bin/python3 scripts/make-text-corpus.py <out.jsonl> [--seed 1] [--per-language 1500]

Reads /usr/share/man/<lang>/man*/*.gz (and /usr/share/man/man*/ for English), strips the roff
markup, splits paragraphs into sentences, keeps prose-like ones (5-40 words, mostly letters) and
writes one JSON object per line: {"text", "label", "split", "page", "package"}. The split is by
page name (a seeded hash): every sentence of one manual page is on the same side, so near-identical
sentences of one page cannot leak from training into test. Each sentence keeps the Debian package
that installed its page; it is under that package's licence (/usr/share/doc/<package>/copyright).
"""
import gzip, hashlib, json, os, random, re, subprocess, sys
from collections import defaultdict

LANGS = ['de', 'en', 'es', 'fr', 'it', 'nl', 'pl', 'pt', 'sv']
args = sys.argv[1:]
if not args or args[0].startswith('--'):
    sys.exit(__doc__)
out = args[0]
opt = lambda k, d: args[args.index(k) + 1] if k in args else d
seed = int(opt('--seed', '1'))
per_lang = int(opt('--per-language', '1500'))
TEST_FRACTION = 0.2

SPECIAL = {'aq': "'", 'lq': '"', 'rq': '"', 'oq': "'", 'cq': "'", 'em': '-', 'en': '-', 'hy': '-', 'dq': '"', 'bu': '', 'co': '(c)', 'rg': '(R)', 'Fo': '«', 'Fc': '»', 'fo': '‹', 'fc': '›', 'ga': '`', 'ti': '~', 'ha': '^', 'ua': '', 'da': '', 'mc': 'µ'}

def strip_roff(src):
    text = []
    for line in src.splitlines():
        if line.startswith(('.', "'")):
            # Paragraph and section breaks end a sentence; other requests carry option names and markup, not prose.
            text.append('\n')
            continue
        line = re.sub(r'\\\((..)', lambda m: SPECIAL.get(m.group(1), ''), line)
        line = re.sub(r'\\\[(\w+)\]', lambda m: SPECIAL.get(m.group(1), ''), line)
        line = re.sub(r'\\f(\[[^\]]*\]|\(..|.)', '', line)
        line = re.sub(r'\\\*(\(..|\[[^\]]*\]|.)', '', line)
        line = re.sub(r'\\s[-+]?\d', '', line)
        line = line.replace('\\-', '-').replace('\\&', '').replace('\\e', '\\').replace('\\ ', ' ').replace('\\%', '')
        line = re.sub(r'\\[a-zA-Z|^]', '', line)
        text.append(line)
    return re.split(r'\n\s*\n', '\n'.join(text))

SENT = re.compile(r'(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-ÞĄĆĘŁŃÓŚŹŻ"«„])')

def sentences(src):
    for para in strip_roff(src):
        para = ' '.join(para.split())
        for s in SENT.split(para):
            words = s.split()
            if not 5 <= len(words) <= 40:
                continue
            letters = sum(ch.isalpha() for ch in s)
            if letters < 0.75 * len(s.replace(' ', '')) or re.search(r'[/=<>{}\[\]]|--|\\', s):
                continue
            yield s

def pages(lang):
    root = '/usr/share/man' if lang == 'en' else f'/usr/share/man/{lang}'
    if not os.path.isdir(root):
        return []
    out = []
    for d in sorted(os.listdir(root)):
        if not re.fullmatch(r'man\d\w*', d):
            continue
        for f in sorted(os.listdir(os.path.join(root, d))):
            p = os.path.join(root, d, f)
            if f.endswith('.gz') and os.path.isfile(p) and not os.path.islink(p):
                out.append(p)
    return out

def owners(paths):
    """Debian package of each file (dpkg -S), in batches."""
    pkg = {}
    for i in range(0, len(paths), 200):
        r = subprocess.run(['dpkg', '-S', *paths[i:i + 200]], capture_output=True, text=True)
        for line in r.stdout.splitlines():
            if ': ' in line:
                p, f = line.split(': ', 1)
                pkg[f.strip()] = p.split(':')[0]
    return pkg

def split_of(page):
    h = hashlib.sha256(f'{seed}:{page}'.encode()).digest()
    return 'test' if h[0] / 256 < TEST_FRACTION else 'train'

rng = random.Random(seed)
rows = []
for lang in LANGS:
    files = pages(lang)
    if len(files) > 400:
        # English has ~20000 pages; a seeded sample of 400 gives more sentences than the cap needs.
        files = sorted(random.Random(seed).sample(files, 400))
    pkg = owners(files)
    seen, by_split = set(), defaultdict(list)
    for p in files:
        page = os.path.basename(p).split('.')[0]
        try:
            src = gzip.open(p, 'rt', encoding='utf-8', errors='replace').read()
        except (OSError, EOFError):
            continue
        if src.startswith('.so '):
            continue  # a link to another page
        for s in sentences(src):
            if s in seen:
                continue
            seen.add(s)
            sp = split_of(page)
            by_split[sp].append({'text': s, 'label': lang, 'split': sp, 'page': page, 'package': pkg.get(p, 'unknown')})
    for sp, cap in (('train', per_lang), ('test', per_lang // 4)):
        items = by_split[sp]
        rng.shuffle(items)
        rows.extend(items[:cap])
    print(f'{lang}: {len(files)} pages, {len(by_split["train"])} train / {len(by_split["test"])} test sentences before capping', file=sys.stderr)

rows.sort(key=lambda r: (r['split'], r['label'], r['page'], r['text']))
with open(out, 'w', encoding='utf-8') as f:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False) + '\n')
print(f'wrote {len(rows)} sentences to {out}', file=sys.stderr)
