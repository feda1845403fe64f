"""Write the bundled token-tagging samples (UD-POS, PAN-X, CCG) in each release's exact format.

* UD-POS: ``plugins/tasks/data/ud-treebanks-v2.5/UD_<Language>-<Treebank>/<code>-ud-<split>.conllu``,
  one small treebank per XTREME language (named like the real one; no dev file where UD v2.5
  has none: kk, th, tl, yo), English also with a test-only PUD file, as in the release.
  Sentences are hand-written (English training sentences come from seeded templates) and
  tagged with UPOS; multiword tokens (de ``zum``, fr ``du``, ar ``وقرأ``, ...) are written as range
  lines over their syntactic words, one English sentence has an empty node. Trees are kept
  flat: the main predicate (the first VERB, else the last nominal) is the root and every other
  word attaches to it as ``dep`` (``punct`` for punctuation); the samples are for POS, the
  CoNLL-U is complete and valid.
* PAN-X: XTREME's ``panx/{train,dev,test}-{lang}.tsv`` (``token<TAB>tag``; test files without tags)
  and the evaluate.py gold files ``labels/panx/test-{lang}.tsv``; zh and ja are one token per
  character, as in WikiANN. The same four sentences in every language (2 dev, 2 test), English
  dev/test and train add template sentences.
* CCG: jiant's ``ccg/ccg.{train,dev,test}`` (``text<TAB>supertags``) and ``ccg/tags_to_id.json``,
  from seeded templates with CCGbank-style categories.

Run from the repository root:  python scripts/make_tagging_samples.py
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "plugins" / "tasks" / "data"
UD = OUT / "ud-treebanks-v2.5"

# --------------------------------------------------------------------------- UD-POS
TREEBANKS = {
    "af": "UD_Afrikaans-AfriBooms/af_afribooms",
    "ar": "UD_Arabic-PADT/ar_padt",
    "bg": "UD_Bulgarian-BTB/bg_btb",
    "de": "UD_German-GSD/de_gsd",
    "el": "UD_Greek-GDT/el_gdt",
    "en": "UD_English-EWT/en_ewt",
    "es": "UD_Spanish-GSD/es_gsd",
    "et": "UD_Estonian-EDT/et_edt",
    "eu": "UD_Basque-BDT/eu_bdt",
    "fa": "UD_Persian-Seraji/fa_seraji",
    "fi": "UD_Finnish-TDT/fi_tdt",
    "fr": "UD_French-GSD/fr_gsd",
    "he": "UD_Hebrew-HTB/he_htb",
    "hi": "UD_Hindi-HDTB/hi_hdtb",
    "hu": "UD_Hungarian-Szeged/hu_szeged",
    "id": "UD_Indonesian-GSD/id_gsd",
    "it": "UD_Italian-ISDT/it_isdt",
    "ja": "UD_Japanese-GSD/ja_gsd",
    "kk": "UD_Kazakh-KTB/kk_ktb",
    "ko": "UD_Korean-GSD/ko_gsd",
    "mr": "UD_Marathi-UFAL/mr_ufal",
    "nl": "UD_Dutch-Alpino/nl_alpino",
    "pt": "UD_Portuguese-Bosque/pt_bosque",
    "ru": "UD_Russian-SynTagRus/ru_syntagrus",
    "ta": "UD_Tamil-TTB/ta_ttb",
    "te": "UD_Telugu-MTG/te_mtg",
    "th": "UD_Thai-PUD/th_pud",
    "tl": "UD_Tagalog-TRG/tl_trg",
    "tr": "UD_Turkish-IMST/tr_imst",
    "ur": "UD_Urdu-UDTB/ur_udtb",
    "vi": "UD_Vietnamese-VTB/vi_vtb",
    "yo": "UD_Yoruba-YTB/yo_ytb",
    "zh": "UD_Chinese-GSD/zh_gsd",
}
NO_SPACES = {"ja", "zh", "th"}
# "form/UPOS"; a multiword token is "fused=word/UPOS+word/UPOS"; "_" inside a vi form is a space
UD_SENTENCES: dict[str, dict[str, list[str]]] = {
    "af": {
        "dev": [
            "Die/DET kat/NOUN slaap/VERB op/ADP die/DET bed/NOUN ./PUNCT",
            "Ek/PRON het/AUX gister/ADV 'n/DET boek/NOUN gekoop/VERB ./PUNCT",
        ],
        "test": [
            "Ons/PRON woon/VERB in/ADP Kaapstad/PROPN ./PUNCT",
            "Die/DET weer/NOUN is/AUX vandag/ADV baie/ADV mooi/ADJ ./PUNCT",
        ],
    },
    "ar": {
        "dev": [
            "ذهب/VERB الولد/NOUN إلى/ADP المدرسة/NOUN ./PUNCT",
            "وقرأ=و/CCONJ+قرأ/VERB الطالب/NOUN الكتاب/NOUN ./PUNCT",
        ],
        "test": [
            "القاهرة/PROPN مدينة/NOUN كبيرة/ADJ ./PUNCT",
            "كتب/VERB محمد/PROPN رسالة/NOUN طويلة/ADJ ./PUNCT",
        ],
    },
    "bg": {
        "dev": [
            "Котката/NOUN спи/VERB на/ADP дивана/NOUN ./PUNCT",
            "Аз/PRON чета/VERB интересна/ADJ книга/NOUN ./PUNCT",
        ],
        "test": [
            "София/PROPN е/AUX столицата/NOUN на/ADP България/PROPN ./PUNCT",
            "Децата/NOUN играят/VERB в/ADP парка/NOUN ./PUNCT",
        ],
    },
    "de": {
        "dev": [
            "Der/DET Hund/NOUN läuft/VERB schnell/ADV zum=zu/ADP+dem/DET Park/NOUN ./PUNCT",
            "Ich/PRON habe/AUX das/DET Buch/NOUN gelesen/VERB ./PUNCT",
        ],
        "test": [
            "Berlin/PROPN ist/AUX die/DET Hauptstadt/NOUN von/ADP Deutschland/PROPN ./PUNCT",
            "Wir/PRON wohnen/VERB im=in/ADP+dem/DET Zentrum/NOUN ./PUNCT",
        ],
    },
    "el": {
        "dev": [
            "Η/DET γάτα/NOUN κοιμάται/VERB στον=σε/ADP+τον/DET καναπέ/NOUN ./PUNCT",
            "Διαβάζω/VERB ένα/DET ενδιαφέρον/ADJ βιβλίο/NOUN ./PUNCT",
        ],
        "test": [
            "Η/DET Αθήνα/PROPN είναι/AUX η/DET πρωτεύουσα/NOUN της/DET Ελλάδας/PROPN ./PUNCT",
            "Τα/DET παιδιά/NOUN παίζουν/VERB στο=σε/ADP+το/DET πάρκο/NOUN ./PUNCT",
        ],
    },
    "en": {
        "dev": [
            "The/DET meeting/NOUN was/AUX moved/VERB to/ADP Friday/PROPN ./PUNCT",
        ],
        "test": [
            "I/PRON have/AUX n't/PART seen/VERB her/PRON since/ADP Monday/PROPN ./PUNCT",
            "Please/INTJ call/VERB me/PRON if/SCONJ you/PRON need/VERB help/NOUN !/PUNCT",
        ],
    },
    "es": {
        "dev": [
            "El/DET niño/NOUN come/VERB una/DET manzana/NOUN roja/ADJ ./PUNCT",
            "Vamos/VERB al=a/ADP+el/DET mercado/NOUN mañana/ADV ./PUNCT",
        ],
        "test": [
            "Madrid/PROPN es/AUX la/DET capital/NOUN de/ADP España/PROPN ./PUNCT",
            "La/DET casa/NOUN del=de/ADP+el/DET profesor/NOUN es/AUX grande/ADJ ./PUNCT",
        ],
    },
    "et": {
        "dev": [
            "Kass/NOUN magab/VERB diivanil/NOUN ./PUNCT",
            "Ma/PRON loen/VERB huvitavat/ADJ raamatut/NOUN ./PUNCT",
        ],
        "test": [
            "Tallinn/PROPN on/AUX Eesti/PROPN pealinn/NOUN ./PUNCT",
            "Lapsed/NOUN mängivad/VERB pargis/NOUN ./PUNCT",
        ],
    },
    "eu": {
        "dev": [
            "Mutilak/NOUN liburua/NOUN irakurri/VERB du/AUX ./PUNCT",
            "Etxe/NOUN handi/ADJ bat/NUM erosi/VERB dugu/AUX ./PUNCT",
        ],
        "test": [
            "Bilbo/PROPN hiri/NOUN handia/ADJ da/AUX ./PUNCT",
            "Haurrak/NOUN parkean/NOUN jolasten/VERB dira/AUX ./PUNCT",
        ],
    },
    "fa": {
        "dev": [
            "گربه/NOUN روی/ADP مبل/NOUN خوابیده/VERB است/AUX ./PUNCT",
            "من/PRON یک/NUM کتاب/NOUN خواندم/VERB ./PUNCT",
        ],
        "test": [
            "تهران/PROPN پایتخت/NOUN ایران/PROPN است/AUX ./PUNCT",
            "بچه\u200cها/NOUN در/ADP پارک/NOUN بازی/NOUN می\u200cکنند/VERB ./PUNCT",
        ],
    },
    "fi": {
        "dev": [
            "Kissa/NOUN nukkuu/VERB sohvalla/NOUN ./PUNCT",
            "Luen/VERB mielenkiintoista/ADJ kirjaa/NOUN ./PUNCT",
        ],
        "test": [
            "Helsinki/PROPN on/AUX Suomen/PROPN pääkaupunki/NOUN ./PUNCT",
            "Lapset/NOUN leikkivät/VERB puistossa/NOUN ./PUNCT",
        ],
    },
    "fr": {
        "dev": [
            "Le/DET chat/NOUN dort/VERB sur/ADP le/DET canapé/NOUN ./PUNCT",
            "Nous/PRON allons/VERB au=à/ADP+le/DET marché/NOUN demain/ADV ./PUNCT",
        ],
        "test": [
            "Paris/PROPN est/AUX la/DET capitale/NOUN de/ADP la/DET France/PROPN ./PUNCT",
            "Le/DET livre/NOUN du=de/ADP+le/DET professeur/NOUN est/AUX intéressant/ADJ ./PUNCT",
        ],
    },
    "he": {
        "dev": [
            "החתול=ה/DET+חתול/NOUN ישן/VERB על/ADP הספה=ה/DET+ספה/NOUN ./PUNCT",
            "אני/PRON קורא/VERB ספר/NOUN מעניין/ADJ ./PUNCT",
        ],
        "test": [
            "ירושלים/PROPN עיר/NOUN עתיקה/ADJ ./PUNCT",
            "הילדים=ה/DET+ילדים/NOUN משחקים/VERB בפארק=ב/ADP+ה/DET+פארק/NOUN ./PUNCT",
        ],
    },
    "hi": {
        "dev": [
            "बिल्ली/NOUN सोफ़े/NOUN पर/ADP सो/VERB रही/AUX है/AUX ।/PUNCT",
            "मैं/PRON एक/NUM किताब/NOUN पढ़/VERB रहा/AUX हूँ/AUX ।/PUNCT",
        ],
        "test": [
            "दिल्ली/PROPN भारत/PROPN की/ADP राजधानी/NOUN है/AUX ।/PUNCT",
            "बच्चे/NOUN पार्क/NOUN में/ADP खेलते/VERB हैं/AUX ।/PUNCT",
        ],
    },
    "hu": {
        "dev": [
            "A/DET macska/NOUN a/DET kanapén/NOUN alszik/VERB ./PUNCT",
            "Egy/DET érdekes/ADJ könyvet/NOUN olvasok/VERB ./PUNCT",
        ],
        "test": [
            "Budapest/PROPN Magyarország/PROPN fővárosa/NOUN ./PUNCT",
            "A/DET gyerekek/NOUN a/DET parkban/NOUN játszanak/VERB ./PUNCT",
        ],
    },
    "id": {
        "dev": [
            "Kucing/NOUN itu/DET tidur/VERB di/ADP sofa/NOUN ./PUNCT",
            "Saya/PRON membaca/VERB buku/NOUN baru/ADJ ./PUNCT",
        ],
        "test": [
            "Jakarta/PROPN adalah/AUX ibu/NOUN kota/NOUN Indonesia/PROPN ./PUNCT",
            "Anak-anak/NOUN bermain/VERB di/ADP taman/NOUN ./PUNCT",
        ],
    },
    "it": {
        "dev": [
            "Il/DET gatto/NOUN dorme/VERB sul=su/ADP+il/DET divano/NOUN ./PUNCT",
            "Leggo/VERB un/DET libro/NOUN interessante/ADJ ./PUNCT",
        ],
        "test": [
            "La/DET casa/NOUN della=di/ADP+la/DET nonna/NOUN è/AUX grande/ADJ ./PUNCT",
            "I/DET bambini/NOUN giocano/VERB nel=in/ADP+il/DET parco/NOUN ./PUNCT",
        ],
    },
    "ja": {
        "dev": [
            "猫/NOUN が/ADP ソファー/NOUN で/ADP 寝/VERB て/SCONJ いる/AUX 。/PUNCT",
            "私/PRON は/ADP 本/NOUN を/ADP 読み/VERB ます/AUX 。/PUNCT",
        ],
        "test": [
            "東京/PROPN は/ADP 日本/PROPN の/ADP 首都/NOUN です/AUX 。/PUNCT",
            "子供/NOUN たち/NOUN が/ADP 公園/NOUN で/ADP 遊ん/VERB で/SCONJ いる/AUX 。/PUNCT",
        ],
    },
    "kk": {
        "test": [
            "Мысық/NOUN диванда/NOUN ұйықтап/VERB жатыр/AUX ./PUNCT",
            "Мен/PRON кітап/NOUN оқыдым/VERB ./PUNCT",
            "Астана/PROPN –/PUNCT Қазақстанның/PROPN астанасы/NOUN ./PUNCT",
        ],
    },
    "ko": {
        "dev": [
            "고양이가/NOUN 소파에서/NOUN 잔다/VERB ./PUNCT",
            "나는/PRON 책을/NOUN 읽는다/VERB ./PUNCT",
        ],
        "test": [
            "아이들이/NOUN 공원에서/NOUN 논다/VERB ./PUNCT",
            "우리는/PRON 내일/NOUN 서울에/PROPN 간다/VERB ./PUNCT",
        ],
    },
    "mr": {
        "dev": [
            "मांजर/NOUN सोफ्यावर/NOUN झोपली/VERB आहे/AUX ./PUNCT",
            "मी/PRON पुस्तक/NOUN वाचतो/VERB ./PUNCT",
        ],
        "test": [
            "मुंबई/PROPN मोठे/ADJ शहर/NOUN आहे/AUX ./PUNCT",
            "मुले/NOUN बागेत/NOUN खेळतात/VERB ./PUNCT",
        ],
    },
    "nl": {
        "dev": [
            "De/DET kat/NOUN slaapt/VERB op/ADP de/DET bank/NOUN ./PUNCT",
            "Ik/PRON lees/VERB een/DET interessant/ADJ boek/NOUN ./PUNCT",
        ],
        "test": [
            "Amsterdam/PROPN is/AUX de/DET hoofdstad/NOUN van/ADP Nederland/PROPN ./PUNCT",
            "De/DET kinderen/NOUN spelen/VERB in/ADP het/DET park/NOUN ./PUNCT",
        ],
    },
    "pt": {
        "dev": [
            "O/DET gato/NOUN dorme/VERB no=em/ADP+o/DET sofá/NOUN ./PUNCT",
            "Eu/PRON leio/VERB um/DET livro/NOUN interessante/ADJ ./PUNCT",
        ],
        "test": [
            "Lisboa/PROPN é/AUX a/DET capital/NOUN de/ADP Portugal/PROPN ./PUNCT",
            "A/DET casa/NOUN do=de/ADP+o/DET professor/NOUN é/AUX grande/ADJ ./PUNCT",
        ],
    },
    "ru": {
        "dev": [
            "Кошка/NOUN спит/VERB на/ADP диване/NOUN ./PUNCT",
            "Я/PRON читаю/VERB интересную/ADJ книгу/NOUN ./PUNCT",
        ],
        "test": [
            "Москва/PROPN —/PUNCT столица/NOUN России/PROPN ./PUNCT",
            "Дети/NOUN играют/VERB в/ADP парке/NOUN ./PUNCT",
        ],
    },
    "ta": {
        "dev": [
            "பூனை/NOUN சோபாவில்/NOUN தூங்குகிறது/VERB ./PUNCT",
            "நான்/PRON ஒரு/NUM புத்தகம்/NOUN படிக்கிறேன்/VERB ./PUNCT",
        ],
        "test": [
            "சென்னை/PROPN ஒரு/NUM பெரிய/ADJ நகரம்/NOUN ./PUNCT",
            "குழந்தைகள்/NOUN பூங்காவில்/NOUN விளையாடுகிறார்கள்/VERB ./PUNCT",
        ],
    },
    "te": {
        "dev": [
            "పిల్లి/NOUN సోఫా/NOUN మీద/ADP నిద్రపోతోంది/VERB ./PUNCT",
            "నేను/PRON పుస్తకం/NOUN చదువుతున్నాను/VERB ./PUNCT",
        ],
        "test": [
            "హైదరాబాద్/PROPN పెద్ద/ADJ నగరం/NOUN ./PUNCT",
            "పిల్లలు/NOUN పార్కులో/NOUN ఆడుతున్నారు/VERB ./PUNCT",
        ],
    },
    "th": {
        "test": [
            "แมว/NOUN นอน/VERB บน/ADP โซฟา/NOUN",
            "ฉัน/PRON อ่าน/VERB หนังสือ/NOUN เล่ม/NOUN นี้/DET",
            "กรุงเทพ/PROPN เป็น/AUX เมืองหลวง/NOUN ของ/ADP ประเทศไทย/PROPN",
        ],
    },
    "tl": {
        "test": [
            "Kumain/VERB ang/ADP bata/NOUN ng/ADP mangga/NOUN ./PUNCT",
            "Natulog/VERB ang/ADP pusa/NOUN sa/ADP sopa/NOUN ./PUNCT",
            "Bumili/VERB si/ADP Maria/PROPN ng/ADP libro/NOUN ./PUNCT",
        ],
    },
    "tr": {
        "dev": [
            "Kedi/NOUN kanepede/NOUN uyuyor/VERB ./PUNCT",
            "Ben/PRON ilginç/ADJ bir/DET kitap/NOUN okuyorum/VERB ./PUNCT",
        ],
        "test": [
            "Ankara/PROPN Türkiye'nin/PROPN başkentidir=başkenti/NOUN+dir/AUX ./PUNCT",
            "Çocuklar/NOUN parkta/NOUN oynuyor/VERB ./PUNCT",
        ],
    },
    "ur": {
        "dev": [
            "بلی/NOUN صوفے/NOUN پر/ADP سو/VERB رہی/AUX ہے/AUX ۔/PUNCT",
            "میں/PRON ایک/NUM کتاب/NOUN پڑھ/VERB رہا/AUX ہوں/AUX ۔/PUNCT",
        ],
        "test": [
            "لاہور/PROPN ایک/NUM بڑا/ADJ شہر/NOUN ہے/AUX ۔/PUNCT",
            "بچے/NOUN باغ/NOUN میں/ADP کھیلتے/VERB ہیں/AUX ۔/PUNCT",
        ],
    },
    "vi": {
        "dev": [
            "Con/NOUN mèo/NOUN ngủ/VERB trên/ADP ghế_sofa/NOUN ./PUNCT",
            "Tôi/PRON đọc/VERB một/NUM cuốn/NOUN sách/NOUN hay/ADJ ./PUNCT",
        ],
        "test": [
            "Hà_Nội/PROPN là/AUX thủ_đô/NOUN của/ADP Việt_Nam/PROPN ./PUNCT",
            "Trẻ_em/NOUN chơi/VERB trong/ADP công_viên/NOUN ./PUNCT",
        ],
    },
    "yo": {
        "test": [
            "Ológbò/NOUN náà/DET ń/AUX sùn/VERB ./PUNCT",
            "Mo/PRON ń/AUX ka/VERB ìwé/NOUN ./PUNCT",
            "Èkó/PROPN jẹ́/AUX ìlú/NOUN ńlá/ADJ ./PUNCT",
        ],
    },
    "zh": {
        "dev": [
            "猫/NOUN 在/ADP 沙发/NOUN 上/ADP 睡觉/VERB 。/PUNCT",
            "我/PRON 读/VERB 了/AUX 一/NUM 本/NOUN 书/NOUN 。/PUNCT",
        ],
        "test": [
            "北京/PROPN 是/AUX 中国/PROPN 的/PART 首都/NOUN 。/PUNCT",
            "孩子们/NOUN 在/ADP 公园/NOUN 里/ADP 玩/VERB 。/PUNCT",
        ],
    },
}
# English Web Treebank style sentence with an empty node (5.1) in the enhanced graph
EN_ELLIPSIS = """# sent_id = en-dev-ellipsis
# text = Mary likes tea and John coffee.
1\tMary\tMary\tPROPN\tNNP\tNumber=Sing\t2\tnsubj\t2:nsubj\t_
2\tlikes\tlike\tVERB\tVBZ\tMood=Ind|Number=Sing|Person=3|Tense=Pres|VerbForm=Fin\t0\troot\t0:root\t_
3\ttea\ttea\tNOUN\tNN\tNumber=Sing\t2\tobj\t2:obj\t_
4\tand\tand\tCCONJ\tCC\t_\t5\tcc\t5.1:cc\t_
5\tJohn\tJohn\tPROPN\tNNP\tNumber=Sing\t2\tconj\t5.1:nsubj\t_
5.1\tlikes\tlike\tVERB\tVBZ\t_\t_\t_\t2:conj:and\tCopyOf=2
6\tcoffee\tcoffee\tNOUN\tNN\tNumber=Sing\t5\torphan\t5.1:obj\tSpaceAfter=No
7\t.\t.\tPUNCT\t.\t_\t2\tpunct\t2:punct\t_
"""
EN_PUD_TEST = [
    "The/DET company/NOUN reported/VERB a/DET profit/NOUN of/ADP $/SYM 5/NUM million/NUM ./PUNCT",
]
NO_SPACE_BEFORE = {".", ",", "!", "?", ";", ":", ")", "%", "。", "、", "।", "۔", "n't", "'s"}
NO_SPACE_AFTER = {"(", "$", "«", "„"}


def parse_ud(sentence: str, lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(surface token, [(word, UPOS), ...])]: one word, or several for a multiword token."""
    tokens = []
    for item in sentence.split():
        if "=" in item:
            fused, words = item.split("=", 1)
            parts = [tuple(w.rsplit("/", 1)) for w in words.split("+")]
        else:
            form, upos = item.rsplit("/", 1)
            fused, parts = form, [(form, upos)]
        if lang == "vi":
            fused = fused.replace("_", " ")
            parts = [(w.replace("_", " "), u) for w, u in parts]
        tokens.append((fused, parts))
    return tokens


def conllu_block(tokens: list[tuple[str, list[tuple[str, str]]]], lang: str, sent_id: str) -> str:
    words = [w for _, parts in tokens for w in parts]
    nominal = [
        i for i, (_, u) in enumerate(words, 1) if u in ("NOUN", "PROPN", "ADJ", "PRON", "NUM")
    ]
    verbs = [i for i, (_, u) in enumerate(words, 1) if u == "VERB"]
    root = verbs[0] if verbs else (nominal[-1] if nominal else 1)
    text, lines, n = "", [], 0
    for k, (surface, parts) in enumerate(tokens):
        nxt = tokens[k + 1][0] if k + 1 < len(tokens) else None
        space = not (
            nxt is None
            or lang in NO_SPACES
            or nxt in NO_SPACE_BEFORE
            or surface in NO_SPACE_AFTER
            or surface.endswith("'")
        )
        misc = "_" if space or nxt is None else "SpaceAfter=No"
        text += surface + (" " if space else "")
        if len(parts) > 1:
            lines.append(f"{n + 1}-{n + len(parts)}\t{surface}\t_\t_\t_\t_\t_\t_\t_\t{misc}")
        for form, upos in parts:
            n += 1
            head, rel = (0, "root") if n == root else (root, "punct" if upos == "PUNCT" else "dep")
            own_misc = misc if len(parts) == 1 else "_"
            lines.append(f"{n}\t{form}\t_\t{upos}\t_\t_\t{head}\t{rel}\t_\t{own_misc}")
    return f"# sent_id = {sent_id}\n# text = {text}\n" + "\n".join(lines) + "\n"


def write_conllu(path: Path, blocks: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(blocks) + "\n", "utf-8")  # every sentence ends with a blank line


# English training sentences: templates over a tagged lexicon (EWT conventions)
SUBJECTS = [
    [("The", "DET"), ("old", "ADJ"), ("man", "NOUN")],
    [("A", "DET"), ("young", "ADJ"), ("woman", "NOUN")],
    [("My", "PRON"), ("brother", "NOUN")],
    [("Her", "PRON"), ("sister", "NOUN")],
    [("The", "DET"), ("children", "NOUN")],
    [("Our", "PRON"), ("neighbors", "NOUN")],
    [("This", "DET"), ("company", "NOUN")],
    [("The", "DET"), ("new", "ADJ"), ("manager", "NOUN")],
    [("John", "PROPN")],
    [("Maria", "PROPN")],
    [("Dr.", "PROPN"), ("Smith", "PROPN")],
    [("She", "PRON")],
    [("He", "PRON")],
    [("They", "PRON")],
    [("We", "PRON")],
    [("I", "PRON")],
    [("Everyone", "PRON")],
    [("Two", "NUM"), ("students", "NOUN")],
    [("The", "DET"), ("small", "ADJ"), ("dog", "NOUN")],
    [("Every", "DET"), ("teacher", "NOUN")],
]
OBJECTS = [
    [("a", "DET"), ("book", "NOUN")],
    [("the", "DET"), ("car", "NOUN")],
    [("an", "DET"), ("apple", "NOUN")],
    [("the", "DET"), ("red", "ADJ"), ("house", "NOUN")],
    [("some", "DET"), ("fresh", "ADJ"), ("bread", "NOUN")],
    [("his", "PRON"), ("keys", "NOUN")],
    [("their", "PRON"), ("homework", "NOUN")],
    [("the", "DET"), ("report", "NOUN")],
    [("a", "DET"), ("long", "ADJ"), ("letter", "NOUN")],
    [("London", "PROPN")],
    [("Google", "PROPN")],
    [("it", "PRON")],
    [("them", "PRON")],
    [("three", "NUM"), ("tickets", "NOUN")],
    [("the", "DET"), ("final", "ADJ"), ("exam", "NOUN")],
    [("the", "DET"), ("old", "ADJ"), ("bridge", "NOUN")],
]
PLACES = [
    [("in", "ADP"), ("the", "DET"), ("park", "NOUN")],
    [("at", "ADP"), ("the", "DET"), ("station", "NOUN")],
    [("on", "ADP"), ("the", "DET"), ("table", "NOUN")],
    [("in", "ADP"), ("Paris", "PROPN")],
    [("from", "ADP"), ("the", "DET"), ("market", "NOUN")],
    [("with", "ADP"), ("her", "PRON"), ("friends", "NOUN")],
    [("after", "ADP"), ("lunch", "NOUN")],
    [("before", "ADP"), ("the", "DET"), ("meeting", "NOUN")],
    [("near", "ADP"), ("the", "DET"), ("river", "NOUN")],
    [("for", "ADP"), ("two", "NUM"), ("hours", "NOUN")],
]
PAST_TV = [
    "bought",
    "read",
    "found",
    "sold",
    "visited",
    "cleaned",
    "painted",
    "wrote",
    "lost",
    "saw",
]
BASE_TV = ["buy", "read", "find", "sell", "visit", "clean", "paint", "write", "need", "see"]
ING_TV = ["buying", "reading", "cleaning", "painting", "writing", "selling", "visiting"]
PAST_IV = ["slept", "arrived", "left", "laughed", "waited", "worked", "danced", "smiled"]
ADVERBS = ["quickly", "slowly", "often", "never", "always", "really", "also", "soon"]
ADJ_PRED = ["happy", "tired", "busy", "late", "hungry", "ready", "angry", "famous"]
INTJ = ["Oh", "Well", "Yes", "Wow", "Hello"]
SCONJ = ["because", "although", "if", "while"]


def english_pos_sentence(rng: random.Random) -> list[tuple[str, str]]:
    subj, obj, place = rng.choice(SUBJECTS), rng.choice(OBJECTS), rng.choice(PLACES)
    plural = subj[-1][0] in ("children", "neighbors", "students", "They", "We", "I")
    kind = rng.randrange(12)
    if kind == 0:
        s = subj + [(rng.choice(PAST_TV), "VERB")] + obj + place
    elif kind == 1:
        s = subj + [(rng.choice(PAST_IV), "VERB"), (rng.choice(ADVERBS[:2]), "ADV")] + place
    elif kind == 2:
        aux = "are" if plural else "is"
        s = subj + [(aux, "AUX"), (rng.choice(ING_TV), "VERB")] + obj
    elif kind == 3:
        s = subj + [("did", "AUX"), ("not", "PART"), (rng.choice(BASE_TV), "VERB")] + obj
    elif kind == 4:
        s = subj + [("will", "AUX"), (rng.choice(BASE_TV), "VERB")] + obj + place
    elif kind == 5:
        aux = "were" if plural else "was"
        s = subj + [(aux, "AUX"), ("very", "ADV"), (rng.choice(ADJ_PRED), "ADJ")]
    elif kind == 6:
        s = [(rng.choice(INTJ), "INTJ"), (",", "PUNCT")] + [lower(w, t) for w, t in subj]
        s += [(rng.choice(PAST_TV), "VERB")] + obj
    elif kind == 7:
        other = rng.choice(SUBJECTS)
        s = subj + [(rng.choice(PAST_IV), "VERB"), (rng.choice(SCONJ), "SCONJ")]
        s += [lower(w, t) for w, t in other]
        s += [(rng.choice(PAST_TV), "VERB")] + obj
    elif kind == 8:
        s = subj + [(rng.choice(PAST_TV), "VERB")] + obj + [("and", "CCONJ")]
        s += [(rng.choice(PAST_TV), "VERB"), ("it", "PRON")] + place
    elif kind == 9:
        price = str(rng.choice([5, 12, 40, 99, 250]))
        s = [("The", "DET"), (obj[-1][0] if obj[-1][1] == "NOUN" else "ticket", "NOUN")]
        s += [("cost", "VERB"), ("$", "SYM"), (price, "NUM")]
    elif kind == 10:
        s = subj + [("wanted", "VERB"), ("to", "PART"), (rng.choice(BASE_TV), "VERB")] + obj
    else:
        s = subj + [(rng.choice(ADVERBS), "ADV"), (rng.choice(PAST_TV), "VERB")] + obj
        s += [("but", "CCONJ"), ("never", "ADV"), (rng.choice(PAST_TV), "VERB"), ("it", "PRON")]
    return s + [(".", "PUNCT")]


def lower(word: str, tag: str) -> tuple[str, str]:
    """Sentence-initial capital off, except for names and "I"."""
    return (word, tag) if tag == "PROPN" or word == "I" else (word.lower(), tag)


def as_source(words: list[tuple[str, str]]) -> str:
    return " ".join(f"{w}/{t}" for w, t in words)


def write_udpos() -> None:
    if UD.exists():
        shutil.rmtree(UD)
    rng = random.Random(2021)
    for lang, folder in TREEBANKS.items():
        for split, sentences in UD_SENTENCES[lang].items():
            blocks = [
                conllu_block(parse_ud(s, lang), lang, f"{lang}-{split}-{i}")
                for i, s in enumerate(sentences, 1)
            ]
            if lang == "en":
                extra = [as_source(english_pos_sentence(rng)) for _ in range(8)]
                blocks += [
                    conllu_block(parse_ud(s, lang), lang, f"en-{split}-t{i}")
                    for i, s in enumerate(extra, 1)
                ]
                if split == "dev":
                    blocks.insert(0, EN_ELLIPSIS)
            write_conllu(UD / f"{folder}-ud-{split}.conllu", blocks)
    train = [as_source(english_pos_sentence(rng)) for _ in range(240)]
    write_conllu(
        UD / f"{TREEBANKS['en']}-ud-train.conllu",
        [conllu_block(parse_ud(s, "en"), "en", f"en-train-{i}") for i, s in enumerate(train, 1)],
    )
    write_conllu(
        UD / "UD_English-PUD" / "en_pud-ud-test.conllu",
        [
            conllu_block(parse_ud(s, "en"), "en", f"en-pud-{i}")
            for i, s in enumerate(EN_PUD_TEST, 1)
        ],
    )


# --------------------------------------------------------------------------- PAN-X
# [entity words|TYPE]; the same four sentences in every language: two dev, two test
PANX_SENTENCES: dict[str, list[str]] = {
    "en": [
        "[Paris|LOC] is the capital of [France|LOC] .",
        "[Lionel Messi|PER] played for [FC Barcelona|ORG] .",
        "[Marie Curie|PER] was born in [Warsaw|LOC] .",
        "The headquarters of the [United Nations|ORG] are in [New York City|LOC] .",
    ],
    "ar": [
        "[باريس|LOC] هي عاصمة [فرنسا|LOC] .",
        "لعب [ليونيل ميسي|PER] مع [برشلونة|ORG] .",
        "ولدت [ماري كوري|PER] في [وارسو|LOC] .",
        "يقع مقر [الأمم المتحدة|ORG] في [نيويورك|LOC] .",
    ],
    "he": [
        "[פריז|LOC] היא בירת [צרפת|LOC] .",
        "[ליונל מסי|PER] שיחק בקבוצת [ברצלונה|ORG] .",
        "[מארי קירי|PER] נולדה בעיר [ורשה|LOC] .",
        "מטה [האומות המאוחדות|ORG] נמצא בעיר [ניו יורק|LOC] .",
    ],
    "vi": [
        "[Paris|LOC] là thủ đô của [Pháp|LOC] .",
        "[Lionel Messi|PER] từng chơi cho [FC Barcelona|ORG] .",
        "[Marie Curie|PER] sinh ra tại [Warszawa|LOC] .",
        "Trụ sở của [Liên Hợp Quốc|ORG] nằm ở [New York|LOC] .",
    ],
    "id": [
        "[Paris|LOC] adalah ibu kota [Prancis|LOC] .",
        "[Lionel Messi|PER] bermain untuk [FC Barcelona|ORG] .",
        "[Marie Curie|PER] lahir di [Warsawa|LOC] .",
        "Markas [Perserikatan Bangsa-Bangsa|ORG] berada di [New York|LOC] .",
    ],
    "jv": [
        "[Paris|LOC] iku ibukutha [Prancis|LOC] .",
        "[Lionel Messi|PER] main kanggo [FC Barcelona|ORG] .",
        "[Marie Curie|PER] lair ing [Warsawa|LOC] .",
        "Markas [Perserikatan Bangsa-Bangsa|ORG] ana ing [New York|LOC] .",
    ],
    "ms": [
        "[Paris|LOC] ialah ibu negara [Perancis|LOC] .",
        "[Lionel Messi|PER] bermain untuk [FC Barcelona|ORG] .",
        "[Marie Curie|PER] dilahirkan di [Warsaw|LOC] .",
        "Ibu pejabat [Pertubuhan Bangsa-Bangsa Bersatu|ORG] terletak di [New York|LOC] .",
    ],
    "tl": [
        "Ang [Paris|LOC] ay ang kabisera ng [Pransiya|LOC] .",
        "Naglaro si [Lionel Messi|PER] para sa [FC Barcelona|ORG] .",
        "Ipinanganak si [Marie Curie|PER] sa [Warsaw|LOC] .",
        "Ang punong-tanggapan ng [Nagkakaisang Bansa|ORG] ay nasa [New York|LOC] .",
    ],
    "eu": [
        "[Paris|LOC] [Frantziako|LOC] hiriburua da .",
        "[Lionel Messi|PER] [FC Barcelona|ORG] taldean aritu zen .",
        "[Marie Curie|PER] [Varsovian|LOC] jaio zen .",
        "[Nazio Batuen Erakundearen|ORG] egoitza [New Yorken|LOC] dago .",
    ],
    "ml": [
        "[പാരിസ്|LOC] [ഫ്രാൻസിന്റെ|LOC] തലസ്ഥാനമാണ് .",
        "[ലയണൽ മെസ്സി|PER] [ബാഴ്സലോണയ്ക്കായി|ORG] കളിച്ചു .",
        "[മേരി ക്യൂറി|PER] [വാഴ്സോയിൽ|LOC] ജനിച്ചു .",
        "[ഐക്യരാഷ്ട്രസഭയുടെ|ORG] ആസ്ഥാനം [ന്യൂയോർക്കിലാണ്|LOC] .",
    ],
    "ta": [
        "[பாரிஸ்|LOC] [பிரான்சின்|LOC] தலைநகரம் ஆகும் .",
        "[லியோனல் மெஸ்ஸி|PER] [பார்சிலோனா|ORG] அணிக்காக விளையாடினார் .",
        "[மேரி கியூரி|PER] [வார்சாவில்|LOC] பிறந்தார் .",
        "[ஐக்கிய நாடுகள் சபையின்|ORG] தலைமையகம் [நியூயார்க்கில்|LOC] உள்ளது .",
    ],
    "te": [
        "[పారిస్|LOC] [ఫ్రాన్స్|LOC] దేశ రాజధాని .",
        "[లియోనెల్ మెస్సీ|PER] [బార్సిలోనా|ORG] తరఫున ఆడాడు .",
        "[మేరీ క్యూరీ|PER] [వార్సా|LOC] లో జన్మించింది .",
        "[ఐక్యరాజ్యసమితి|ORG] ప్రధాన కార్యాలయం [న్యూయార్క్|LOC] లో ఉంది .",
    ],
    "af": [
        "[Parys|LOC] is die hoofstad van [Frankryk|LOC] .",
        "[Lionel Messi|PER] het vir [FC Barcelona|ORG] gespeel .",
        "[Marie Curie|PER] is in [Warskou|LOC] gebore .",
        "Die hoofkwartier van die [Verenigde Nasies|ORG] is in [New York|LOC] .",
    ],
    "nl": [
        "[Parijs|LOC] is de hoofdstad van [Frankrijk|LOC] .",
        "[Lionel Messi|PER] speelde voor [FC Barcelona|ORG] .",
        "[Marie Curie|PER] werd geboren in [Warschau|LOC] .",
        "Het hoofdkwartier van de [Verenigde Naties|ORG] staat in [New York|LOC] .",
    ],
    "de": [
        "[Paris|LOC] ist die Hauptstadt von [Frankreich|LOC] .",
        "[Lionel Messi|PER] spielte für den [FC Barcelona|ORG] .",
        "[Marie Curie|PER] wurde in [Warschau|LOC] geboren .",
        "Der Sitz der [Vereinten Nationen|ORG] ist in [New York|LOC] .",
    ],
    "el": [
        "Το [Παρίσι|LOC] είναι η πρωτεύουσα της [Γαλλίας|LOC] .",
        "Ο [Λιονέλ Μέσι|PER] έπαιξε στην [Μπαρτσελόνα|ORG] .",
        "Η [Μαρί Κιουρί|PER] γεννήθηκε στη [Βαρσοβία|LOC] .",
        "Η έδρα του [ΟΗΕ|ORG] βρίσκεται στη [Νέα Υόρκη|LOC] .",
    ],
    "bn": [
        "[প্যারিস|LOC] [ফ্রান্সের|LOC] রাজধানী ।",
        "[লিওনেল মেসি|PER] [বার্সেলোনার|ORG] হয়ে খেলেছেন ।",
        "[মারি কুরি|PER] [ওয়ারশতে|LOC] জন্মগ্রহণ করেন ।",
        "[জাতিসংঘের|ORG] সদর দপ্তর [নিউ ইয়র্কে|LOC] অবস্থিত ।",
    ],
    "hi": [
        "[पेरिस|LOC] [फ्रांस|LOC] की राजधानी है ।",
        "[लियोनेल मेसी|PER] [बार्सिलोना|ORG] के लिए खेले ।",
        "[मैरी क्यूरी|PER] का जन्म [वारसॉ|LOC] में हुआ था ।",
        "[संयुक्त राष्ट्र|ORG] का मुख्यालय [न्यूयॉर्क|LOC] में है ।",
    ],
    "mr": [
        "[पॅरिस|LOC] ही [फ्रान्सची|LOC] राजधानी आहे .",
        "[लिओनेल मेस्सी|PER] [बार्सिलोना|ORG] संघाकडून खेळला .",
        "[मेरी क्युरी|PER] यांचा जन्म [वॉर्सा|LOC] येथे झाला .",
        "[संयुक्त राष्ट्रांचे|ORG] मुख्यालय [न्यू यॉर्क|LOC] येथे आहे .",
    ],
    "ur": [
        "[پیرس|LOC] [فرانس|LOC] کا دارالحکومت ہے ۔",
        "[لیونل میسی|PER] [بارسلونا|ORG] کے لیے کھیلے ۔",
        "[میری کیوری|PER] [وارسا|LOC] میں پیدا ہوئیں ۔",
        "[اقوام متحدہ|ORG] کا صدر دفتر [نیویارک|LOC] میں ہے ۔",
    ],
    "fa": [
        "[پاریس|LOC] پایتخت [فرانسه|LOC] است .",
        "[لیونل مسی|PER] برای [بارسلونا|ORG] بازی کرد .",
        "[ماری کوری|PER] در [ورشو|LOC] به دنیا آمد .",
        "مقر [سازمان ملل متحد|ORG] در [نیویورک|LOC] است .",
    ],
    "fr": [
        "[Paris|LOC] est la capitale de la [France|LOC] .",
        "[Lionel Messi|PER] a joué pour le [FC Barcelone|ORG] .",
        "[Marie Curie|PER] est née à [Varsovie|LOC] .",
        "Le siège de l' [Organisation des Nations unies|ORG] se trouve à [New York|LOC] .",
    ],
    "it": [
        "[Parigi|LOC] è la capitale della [Francia|LOC] .",
        "[Lionel Messi|PER] ha giocato per il [FC Barcellona|ORG] .",
        "[Marie Curie|PER] è nata a [Varsavia|LOC] .",
        "La sede delle [Nazioni Unite|ORG] si trova a [New York|LOC] .",
    ],
    "pt": [
        "[Paris|LOC] é a capital da [França|LOC] .",
        "[Lionel Messi|PER] jogou pelo [FC Barcelona|ORG] .",
        "[Marie Curie|PER] nasceu em [Varsóvia|LOC] .",
        "A sede das [Nações Unidas|ORG] fica em [Nova Iorque|LOC] .",
    ],
    "es": [
        "[París|LOC] es la capital de [Francia|LOC] .",
        "[Lionel Messi|PER] jugó en el [FC Barcelona|ORG] .",
        "[Marie Curie|PER] nació en [Varsovia|LOC] .",
        "La sede de las [Naciones Unidas|ORG] está en [Nueva York|LOC] .",
    ],
    "bg": [
        "[Париж|LOC] е столицата на [Франция|LOC] .",
        "[Лионел Меси|PER] игра за [Барселона|ORG] .",
        "[Мария Кюри|PER] е родена във [Варшава|LOC] .",
        "Седалището на [ООН|ORG] е в [Ню Йорк|LOC] .",
    ],
    "ru": [
        "[Париж|LOC] — столица [Франции|LOC] .",
        "[Лионель Месси|PER] играл за [Барселону|ORG] .",
        "[Мария Кюри|PER] родилась в [Варшаве|LOC] .",
        "Штаб-квартира [ООН|ORG] находится в [Нью-Йорке|LOC] .",
    ],
    "ja": [
        "[パリ|LOC]は[フランス|LOC]の首都である。",
        "[リオネル・メッシ|PER]は[FCバルセロナ|ORG]でプレーした。",
        "[マリ・キュリー|PER]は[ワルシャワ|LOC]で生まれた。",
        "[国際連合|ORG]の本部は[ニューヨーク|LOC]にある。",
    ],
    "ka": [
        "[პარიზი|LOC] [საფრანგეთის|LOC] დედაქალაქია .",
        "[ლიონელ მესი|PER] [ბარსელონაში|ORG] თამაშობდა .",
        "[მარი კიური|PER] [ვარშავაში|LOC] დაიბადა .",
        "[გაეროს|ORG] შტაბბინა [ნიუ-იორკშია|LOC] .",
    ],
    "ko": [
        "[파리는|LOC] [프랑스의|LOC] 수도이다 .",
        "[리오넬 메시는|PER] [FC 바르셀로나에서|ORG] 뛰었다 .",
        "[마리 퀴리는|PER] [바르샤바에서|LOC] 태어났다 .",
        "[국제 연합|ORG] 본부는 [뉴욕에|LOC] 있다 .",
    ],
    "th": [
        "[ปารีส|LOC] เป็น เมืองหลวง ของ [ฝรั่งเศส|LOC]",
        "[ลิโอเนล เมสซี|PER] เคย เล่น ให้ กับ [บาร์เซโลนา|ORG]",
        "[มารี กูรี|PER] เกิด ที่ [วอร์ซอ|LOC]",
        "สำนักงานใหญ่ ของ [สหประชาชาติ|ORG] ตั้ง อยู่ ที่ [นิวยอร์ก|LOC]",
    ],
    "sw": [
        "[Paris|LOC] ni mji mkuu wa [Ufaransa|LOC] .",
        "[Lionel Messi|PER] alichezea [FC Barcelona|ORG] .",
        "[Marie Curie|PER] alizaliwa [Warsaw|LOC] .",
        "Makao makuu ya [Umoja wa Mataifa|ORG] yako [New York|LOC] .",
    ],
    "yo": [
        "[Paris|LOC] ni olú-ìlú [Faransé|LOC] .",
        "[Lionel Messi|PER] gbá bọ́ọ̀lù fún [FC Barcelona|ORG] .",
        "Wọ́n bí [Marie Curie|PER] ní [Warsaw|LOC] .",
        "Olú-iléeṣẹ́ [Àjọ Ìparapọ̀ Orílẹ̀-èdè|ORG] wà ní [New York|LOC] .",
    ],
    "my": [
        "[ပါရီ|LOC] သည် [ပြင်သစ်|LOC] နိုင်ငံ ၏ မြို့တော် ဖြစ်သည် ။",
        "[လီယိုနယ် မက်ဆီ|PER] သည် [ဘာစီလိုနာ|ORG] အသင်း တွင် ကစားခဲ့သည် ။",
        "[မာရီ ကျူရီ|PER] သည် [ဝါဆော|LOC] တွင် မွေးဖွားခဲ့သည် ။",
        "[ကုလသမဂ္ဂ|ORG] ၏ ဌာနချုပ် သည် [နယူးယောက်|LOC] တွင် ရှိသည် ။",
    ],
    "zh": [
        "[巴黎|LOC]是[法国|LOC]的首都。",
        "[利昂内尔·梅西|PER]曾效力于[巴塞罗那足球俱乐部|ORG]。",
        "[玛丽·居里|PER]出生于[华沙|LOC]。",
        "[联合国|ORG]总部位于[纽约|LOC]。",
    ],
    "kk": [
        "[Париж|LOC] – [Францияның|LOC] астанасы .",
        "[Лионель Месси|PER] [Барселона|ORG] клубында ойнады .",
        "[Мария Кюри|PER] [Варшавада|LOC] туған .",
        "[БҰҰ|ORG] штаб-пәтері [Нью-Йоркте|LOC] орналасқан .",
    ],
    "tr": [
        "[Paris|LOC] , [Fransa'nın|LOC] başkentidir .",
        "[Lionel Messi|PER] [FC Barcelona|ORG] için oynadı .",
        "[Marie Curie|PER] [Varşova'da|LOC] doğdu .",
        "[Birleşmiş Milletler|ORG] merkezi [New York'ta|LOC] bulunur .",
    ],
    "et": [
        "[Pariis|LOC] on [Prantsusmaa|LOC] pealinn .",
        "[Lionel Messi|PER] mängis [FC Barcelona|ORG] eest .",
        "[Marie Curie|PER] sündis [Varssavis|LOC] .",
        "[ÜRO|ORG] peakorter asub [New Yorgis|LOC] .",
    ],
    "fi": [
        "[Pariisi|LOC] on [Ranskan|LOC] pääkaupunki .",
        "[Lionel Messi|PER] pelasi [FC Barcelonassa|ORG] .",
        "[Marie Curie|PER] syntyi [Varsovassa|LOC] .",
        "[Yhdistyneiden kansakuntien|ORG] päämaja on [New Yorkissa|LOC] .",
    ],
    "hu": [
        "[Párizs|LOC] [Franciaország|LOC] fővárosa .",
        "[Lionel Messi|PER] az [FC Barcelona|ORG] játékosa volt .",
        "[Marie Curie|PER] [Varsóban|LOC] született .",
        "Az [ENSZ|ORG] székhelye [New Yorkban|LOC] van .",
    ],
}
CHARACTER_TOKENS = {"zh", "ja"}  # WikiANN tokenises these per character
ENTITY = re.compile(r"\[([^\]|]+)\|(PER|ORG|LOC)\]")

PER = [
    "Barack Obama", "Angela Merkel", "Nelson Mandela", "Albert Einstein", "Frida Kahlo",
    "Pablo Picasso", "Serena Williams", "Jane Austen", "Charles Darwin", "Ada Lovelace",
    "Leo Tolstoy", "Usain Bolt", "Roger Federer", "John Smith", "Maria Santos", "Ahmed Hassan",
    "Chen Wei", "Olga Petrova", "Diego Maradona", "Haruki Murakami", "Wolfgang Amadeus Mozart",
    "Queen Victoria", "Kofi Annan", "Indira Gandhi", "Thomas Edison", "Greta Garbo",
]  # fmt: skip
ORG = [
    "Manchester United", "Real Madrid", "Google", "Microsoft", "BBC", "Harvard University",
    "University of Oxford", "World Health Organization", "European Union", "Toyota",
    "Red Cross", "NASA", "Bayern Munich", "Juventus", "The New York Times", "Royal Navy",
    "Liberal Party", "Boston Celtics", "Sony", "Siemens", "Ajax", "Nokia", "UNESCO",
]  # fmt: skip
LOC = [
    "Berlin", "Germany", "Tokyo", "Japan", "Nairobi", "Kenya", "Buenos Aires", "Argentina",
    "Lake Victoria", "Mount Everest", "London", "England", "Cairo", "Egypt", "São Paulo",
    "Brazil", "Mumbai", "India", "Sydney", "Australia", "Rocky Mountains", "Pacific Ocean",
    "Sahara", "Canada", "Toronto", "Rome", "Italy", "Vienna", "Austria", "Lima", "Peru",
]  # fmt: skip
PANX_TEMPLATES = [
    "[{PER}|PER] was born in [{LOC}|LOC] .",
    "[{PER}|PER] played for [{ORG}|ORG] from {Y1} to {Y2} .",
    "[{ORG}|ORG] is based in [{LOC}|LOC] .",
    "[{LOC}|LOC] is a city in [{LOC2}|LOC] .",
    "[{PER}|PER] studied at [{ORG}|ORG] .",
    "'' [{PER}|PER] '' ( born {Y1} ) is a writer .",
    "[{PER}|PER] married [{PER2}|PER] in {Y1} .",
    "He moved to [{LOC}|LOC] and joined [{ORG}|ORG] .",
    "[{LOC}|LOC]",
    "[{ORG}|ORG]",
    "[{PER}|PER]",
    "See also : [{LOC}|LOC]",
    "[{ORG}|ORG] ( [{LOC}|LOC] )",
    "She won the title with [{ORG}|ORG] in {Y1} .",
    "The river flows through [{LOC}|LOC] and [{LOC2}|LOC] .",
    "[{PER}|PER] , [{ORG}|ORG]",
    "The album was released by [{ORG}|ORG] .",
    "It is the largest lake in [{LOC}|LOC] .",
]


def panx_tokens(text: str, lang: str) -> list[tuple[str, str]]:
    def split(s: str) -> list[str]:
        return [c for c in s if not c.isspace()] if lang in CHARACTER_TOKENS else s.split()

    out, pos = [], 0
    for m in ENTITY.finditer(text):
        out += [(t, "O") for t in split(text[pos : m.start()])]
        out += [
            (t, ("B-" if i == 0 else "I-") + m.group(2)) for i, t in enumerate(split(m.group(1)))
        ]
        pos = m.end()
    return out + [(t, "O") for t in split(text[pos:])]


def panx_template(rng: random.Random) -> str:
    per, per2 = rng.sample(PER, 2)
    loc, loc2 = rng.sample(LOC, 2)
    y1 = rng.randint(1900, 2010)
    return rng.choice(PANX_TEMPLATES).format(
        PER=per,
        PER2=per2,
        ORG=rng.choice(ORG),
        LOC=loc,
        LOC2=loc2,
        Y1=y1,
        Y2=y1 + rng.randint(1, 9),
    )


def write_tagged(path: Path, sentences: list[list[tuple[str, str]]], with_tags: bool) -> None:
    """XTREME's layout: a line per token, a blank line between sentences, none at the end."""
    path.parent.mkdir(parents=True, exist_ok=True)
    blocks = [
        "".join(f"{tok}\t{tag}\n" if with_tags else f"{tok}\n" for tok, tag in s) for s in sentences
    ]
    path.write_text("\n".join(blocks), "utf-8")


def write_panx() -> None:
    for folder in (OUT / "panx", OUT / "labels" / "panx"):
        if folder.exists():
            shutil.rmtree(folder)
    rng = random.Random(2022)
    train = [panx_tokens(panx_template(rng), "en") for _ in range(320)]
    write_tagged(OUT / "panx" / "train-en.tsv", train, with_tags=True)
    for lang, items in PANX_SENTENCES.items():
        dev = [panx_tokens(s, lang) for s in items[:2]]
        test = [panx_tokens(s, lang) for s in items[2:]]
        if lang == "en":
            dev += [panx_tokens(panx_template(rng), "en") for _ in range(10)]
            test += [panx_tokens(panx_template(rng), "en") for _ in range(10)]
        write_tagged(OUT / "panx" / f"dev-{lang}.tsv", dev, with_tags=True)
        # XTREME strips test tags; evaluate.py reads gold from labels/ (one tag per line)
        write_tagged(OUT / "panx" / f"test-{lang}.tsv", test, with_tags=False)
        labels = OUT / "labels" / "panx" / f"test-{lang}.tsv"
        labels.parent.mkdir(parents=True, exist_ok=True)
        labels.write_text("\n".join("".join(f"{t}\n" for _, t in s) for s in test), "utf-8")


# --------------------------------------------------------------------------- CCG (jiant)
NP_DET = "NP[nb]/N"
CCG_NP = [
    [("the", NP_DET), ("company", "N")],
    [("the", NP_DET), ("new", "N/N"), ("manager", "N")],
    [("a", NP_DET), ("small", "N/N"), ("bank", "N")],
    [("the", NP_DET), ("market", "N")],
    [("investors", "N")],
    [("analysts", "N")],
    [("Mr.", "N/N"), ("Smith", "N")],
    [("IBM", "N")],
    [("he", "NP")],
    [("they", "NP")],
    [("the", NP_DET), ("board", "N")],
    [("the", NP_DET), ("big", "N/N"), ("investor", "N")],
]
CCG_OBJ = [
    [("the", NP_DET), ("shares", "N")],
    [("a", NP_DET), ("new", "N/N"), ("plant", "N")],
    [("the", NP_DET), ("report", "N")],
    [("bonds", "N")],
    [("stock", "N")],
    [("it", "NP")],
    [("them", "NP")],
    [("the", NP_DET), ("old", "N/N"), ("building", "N")],
]
TV_DCL = "(S[dcl]\\NP)/NP"
IV_DCL = "S[dcl]\\NP"
VP_MOD = "(S\\NP)\\(S\\NP)"
VP_PREP = "((S\\NP)\\(S\\NP))/NP"
NP_PREP = "(NP\\NP)/NP"
CCG_TEMPLATES = ["tv", "iv", "will", "has", "said", "wants", "is", "of", "and", "adv", "poss", "pp"]


def ccg_sentence(rng: random.Random) -> list[tuple[str, str]]:
    subj, obj = rng.choice(CCG_NP), rng.choice(CCG_OBJ)
    kind = rng.choice(CCG_TEMPLATES)
    if kind == "tv":
        s = subj + [(rng.choice(["bought", "sold", "owns", "likes"]), TV_DCL)] + obj
    elif kind == "iv":
        s = subj + [(rng.choice(["rose", "fell", "arrived", "resigned"]), IV_DCL)]
    elif kind == "will":
        s = subj + [
            ("will", "(S[dcl]\\NP)/(S[b]\\NP)"),
            (rng.choice(["buy", "sell"]), "(S[b]\\NP)/NP"),
        ]
        s += obj
    elif kind == "has":
        s = subj + [("has", "(S[dcl]\\NP)/(S[pt]\\NP)"), ("sold", "(S[pt]\\NP)/NP")] + obj
    elif kind == "said":
        other = rng.choice(CCG_NP)
        s = subj + [("said", "(S[dcl]\\NP)/S[em]"), ("that", "S[em]/S[dcl]")]
        s += other + [(rng.choice(["rose", "fell"]), IV_DCL)]
    elif kind == "wants":
        s = subj + [("wants", "(S[dcl]\\NP)/(S[to]\\NP)"), ("to", "(S[to]\\NP)/(S[b]\\NP)")]
        s += [("buy", "(S[b]\\NP)/NP")] + obj
    elif kind == "is":
        s = subj + [
            ("is", "(S[dcl]\\NP)/(S[adj]\\NP)"),
            (rng.choice(["happy", "optimistic"]), "S[adj]\\NP"),
        ]
    elif kind == "of":
        s = [("the", NP_DET), ("price", "N"), ("of", NP_PREP)] + obj + [("rose", IV_DCL)]
    elif kind == "and":
        s = subj + [("rose", IV_DCL), (",", ","), ("and", "conj")]
        s += rng.choice(CCG_NP) + [("fell", IV_DCL)]
    elif kind == "adv":
        s = subj + [("also", "(S\\NP)/(S\\NP)"), ("bought", TV_DCL)] + obj
    elif kind == "poss":
        s = [("IBM", "N"), ("'s", "(NP[nb]/N)\\NP"), ("profit", "N"), ("rose", IV_DCL)]
        s += [("sharply", VP_MOD)]
    else:
        s = subj + [("sold", TV_DCL)] + obj + [("in", VP_PREP), ("March", "N")]
    return s + [(".", ".")]


EXTRA_CCG_TAGS = [  # frequent CCGbank categories beyond the sample's, so the vocabulary is realistic
    "PP/NP", "NP", "N/N", "(N\\N)/NP", "S[dcl]\\S[dcl]", "(S[ng]\\NP)/NP", "S[ng]\\NP",
    "(S[pss]\\NP)/PP", "S[pss]\\NP", "(S[b]\\NP)/PP", "N\\N", "NP\\NP", "(N/N)/(N/N)",
    "S/S", "(S\\NP)/(S\\NP)", ":", "RRB", "LRB", "LQU", "RQU", ";", "(S[to]\\NP)/(S[b]\\NP)",
]  # fmt: skip


def write_ccg() -> None:
    folder = OUT / "ccg"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    rng = random.Random(2023)
    splits = {"train": 200, "dev": 30, "test": 30}
    tags: dict[str, int] = {}
    for split, n in splits.items():
        lines = []
        for _ in range(n):
            s = ccg_sentence(rng)
            for _, t in s:
                tags.setdefault(t, len(tags))
            lines.append(" ".join(w for w, _ in s) + "\t" + " ".join(t for _, t in s))
        (folder / f"ccg.{split}").write_text("".join(f"{line}\n" for line in lines), "utf-8")
    for t in EXTRA_CCG_TAGS:
        tags.setdefault(t, len(tags))
    (folder / "tags_to_id.json").write_text(json.dumps(tags, indent=1) + "\n", "utf-8")


def main() -> None:
    write_udpos()
    write_panx()
    write_ccg()


if __name__ == "__main__":
    main()
