# Writes the seed's OpenCV normalization of each image (decode, 256x256 INTER_AREA, grayscale, JPEG):
# the same norm() as ../shared/bench/opencv_normalize.py, single-threaded.
# Usage: opencv_reference.py OUT_DIR IMG... -> OUT_DIR/<basename>.jpg for each image
import os, sys
import cv2, numpy as np
cv2.setNumThreads(1)
out, paths = sys.argv[1], sys.argv[2:]
for p in paths:
    img = cv2.imdecode(np.frombuffer(open(p, "rb").read(), np.uint8), flags=1)
    g = cv2.cvtColor(cv2.resize(img, (256, 256), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY)
    ok, buf = cv2.imencode(".jpg", g); assert ok
    open(os.path.join(out, os.path.basename(p) + ".jpg"), "wb").write(buf.tobytes())
