"""Size caps for the hosted demo: every data set a user can make stays small enough to train live.

The user-facing caps can be raised (or lowered) on a bigger server with environment variables,
read once at import: ``DLP_MAX_TOY_SAMPLES``, ``DLP_MAX_CSV_BYTES``, ``DLP_MAX_CSV_ROWS``,
``DLP_MAX_CSV_COLUMNS``, ``DLP_MAX_CSV_FEATURES``, ``DLP_MAX_PHOTO_BYTES`` and
``DLP_MAX_MODEL_BYTES`` (whole numbers ≥ 1). Each uploader states its limit on the widget.
"""

from __future__ import annotations

from core.env import env_int

MAX_TOY_SAMPLES = env_int("DLP_MAX_TOY_SAMPLES", 20_000)  # generated data sets (2-D toys, sum3, sine)
MAX_IMAGE_TRAIN = 60_000  # the whole MNIST training split
MAX_IMAGE_TEST = 10_000  # the whole test split
MAX_CSV_BYTES = env_int("DLP_MAX_CSV_BYTES", 5 * 1024 * 1024)  # an upload; checked before anything is parsed
MAX_CSV_ROWS = env_int("DLP_MAX_CSV_ROWS", 50_000)
MAX_CSV_COLUMNS = env_int("DLP_MAX_CSV_COLUMNS", 300)
MAX_CSV_FEATURES = env_int("DLP_MAX_CSV_FEATURES", 1_000)  # after one-hot encoding
MAX_PHOTO_BYTES = env_int("DLP_MAX_PHOTO_BYTES", 10 * 1024 * 1024)  # a photo of a digit or for convolution
MAX_MODEL_BYTES = env_int("DLP_MAX_MODEL_BYTES", 25 * 1024 * 1024)  # a model file saved by the training page
MIN_CSV_ROWS = 10  # fewer rows cannot be split into a useful train and test set
MAX_CATEGORIES = 50  # a text column with more distinct values (names, ids, free text) is dropped
MAX_CLASSES = 50  # classification targets with more classes are refused
REGRESSION_MIN_VALUES = 20  # a numeric target with more distinct values than this is a regression target
SNIFF_BYTES = 64 * 1024  # how much of an upload is inspected for binary content
