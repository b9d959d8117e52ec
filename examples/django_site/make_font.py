"""Regenerate pages/static/pages/fonts/pinknoise-demo-sans.woff2 (needs fontTools + brotli).

A subset of Debian's DejaVu Sans (package fonts-dejavu-core) to printable ASCII,
unhinted, as WOFF2, renamed "PinkNoise Demo Sans": the Bitstream Vera licence allows
modified copies only under a name without "Bitstream" or "Vera". The licence travels
with the font (fonts/LICENSE-DejaVu.txt).

    pip install fonttools brotli && python make_font.py
"""

from __future__ import annotations

import string
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
TARGET = Path(__file__).parent / "pages/static/pages/fonts/pinknoise-demo-sans.woff2"
FAMILY = "PinkNoise Demo Sans"


def main() -> None:
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["kern", "liga"]
    options.name_IDs = ["*"]
    options.desubroutinize = True
    options.hinting = False
    font = TTFont(SOURCE)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=string.ascii_letters + string.digits + string.punctuation + " ")
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = FAMILY
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "")
        elif record.nameID == 3:
            record.string = f"{FAMILY.replace(' ', '')}: subset of DejaVu Sans 2.37"
    font.flavor = "woff2"
    font.save(TARGET)
    print(TARGET)


if __name__ == "__main__":
    main()
