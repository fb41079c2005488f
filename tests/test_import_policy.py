"""The homework's import rules hold for lib/, and the checker catches a planted violation."""

from __future__ import annotations

from lib import config
from tests.import_policy import check
from tests.import_policy import write_tree as _tree


def test_lib_follows_the_import_policy():
    violations = check(config.PROJECT_ROOT)
    assert not violations, "import policy violated:\n" + "\n".join(map(str, violations))



def test_planted_violations_are_named(tmp_path):
    root = _tree(tmp_path, {
        "lib/__init__.py": "",
        "lib/nn/__init__.py": "",
        "lib/nn/layers.py": "import numpy as np\nimport torch\n",
        "lib/nn/train.py": "def fit():\n    from tqdm import tqdm\n",
        "lib/pca.py": "from lib.deep import models\n",
        "lib/deep/__init__.py": "",
        "lib/deep/models.py": "import torch\nimport pandas\n",
        "lib/pipelines/__init__.py": "import pandas, tqdm, torch\n",
    })
    found = {(v.module, v.imported) for v in check(root)}
    assert found == {
        ("lib/nn/layers.py", "torch"),
        ("lib/nn/train.py", "tqdm"),
        ("lib/pca.py", "lib.deep"),
        ("lib/deep/models.py", "pandas"),
    }


def test_allowed_imports_pass(tmp_path):
    root = _tree(tmp_path, {
        "lib/__init__.py": "",
        "lib/metrics.py": "import os, json\nimport numpy as np\nimport scipy.ndimage\nfrom skimage import measure\n",
        "lib/deep/__init__.py": "",
        "lib/deep/train.py": "import torch\nfrom lib import metrics\n",
    })
    assert check(root) == []
