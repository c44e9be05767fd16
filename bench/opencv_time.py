# Times the seed's OpenCV normalization (the same norm() as ../shared/bench/opencv_normalize.py),
# single-threaded, on one image: one warm-up call, then K passes.
# Usage: opencv_time.py K IMG -> "<wall seconds per image> <CPU seconds per image>"
# CPU time (time.process_time) is what the load of a shared machine disturbs least.
import sys, time
import cv2, numpy as np
cv2.setNumThreads(1)
k, path = int(sys.argv[1]), sys.argv[2]
b = open(path, "rb").read()
def norm(b):
    img = cv2.imdecode(np.frombuffer(b, np.uint8), flags=1)
    g = cv2.cvtColor(cv2.resize(img, (256, 256), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY)
    ok, buf = cv2.imencode(".jpg", g); assert ok
    return buf.tobytes()
norm(b)
t, c = time.perf_counter(), time.process_time()
for _ in range(k): norm(b)
print((time.perf_counter() - t) / k, (time.process_time() - c) / k)
