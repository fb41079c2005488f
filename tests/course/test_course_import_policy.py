"""The course scripts obey the homework's import rules, and the checker catches violations."""

from __future__ import annotations

from lib import config
from tests.import_policy import check_course
from tests.import_policy import write_tree as _tree


def test_course_scripts_follow_the_import_policy():
    violations = check_course(config.PROJECT_ROOT)
    assert not violations, "import policy violated:\n" + "\n".join(map(str, violations))



LIB = {
    "lib/__init__.py": "",
    "lib/nn/__init__.py": "",
    "lib/ocr/__init__.py": "",
    "lib/deep/__init__.py": "",
    "lib/deep/recipes.py": "",
    "lib/pipelines/__init__.py": "",
    "lib/pipelines/training.py": "",
    "lib/data/__init__.py": "",
    "lib/data/synthetic/__init__.py": "",
}


def test_planted_course_violations_are_named(tmp_path):
    root = _tree(tmp_path, {
        **LIB,
        "course/python/nn.py": "import numpy as np\nfrom lib.nn import layers\nimport torch\n",
        "course/python/run_q3.py": "import pandas as pd\nfrom lib.pipelines import training\n",
        "course/python/run_q4.py": "def f():\n    from lib.deep import recipes\n",
        "course/python/run_q5.py": "import q7_util\nfrom lib.data.synthetic import x\n",
        "course/python/q7_util.py": "import torch\nfrom lib.deep import recipes\n",
        "course/python/run_q7_1_1.py": "import torchvision\nimport tqdm\nfrom q7_util import f\n",
    })
    found = {(v.module, v.imported) for v in check_course(root)}
    assert found == {
        ("course/python/nn.py", "torch"),
        ("course/python/run_q3.py", "pandas"),
        ("course/python/run_q3.py", "lib.pipelines"),
        ("course/python/run_q4.py", "lib.deep"),
        ("course/python/run_q5.py", "q7_util"),
        ("course/python/run_q5.py", "lib.data.synthetic"),
        ("course/python/run_q7_1_1.py", "tqdm"),
    }


def test_allowed_course_imports_pass(tmp_path):
    root = _tree(tmp_path, {
        **LIB,
        "course/python/_setup.py": "import os\n",
        "course/python/util.py": "import numpy as np\n",
        "course/python/q4.py": "import numpy as np\nimport scipy.ndimage\nfrom skimage import measure\n"
                               "from lib.ocr import find_letters\n",
        "course/python/run_q4.py": "import _setup\nimport matplotlib.pyplot as plt\nfrom q4 import findLetters\n"
                                   "from lib.nn import predict\n",
        "course/python/run_q7_1_4.py": "import torch\nimport torchvision\nfrom lib.deep import recipes\n"
                                       "from q4 import findLetters\n",
    })
    assert check_course(root) == []
