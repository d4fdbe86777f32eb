#!/usr/bin/python3
"""Reference values for test/viz from SciPy, scikit-image and matplotlib (Debian's python3-skimage,
python3-scipy, python3-matplotlib). Writes small CC0 crops of scikit-image's data set as PNG and
test/fixtures/skimage/reference.json. Run: /usr/bin/python3 scripts/skimage_reference.py
"""
import json, os, struct, zlib
import numpy as np
import scipy, scipy.ndimage as ndi
import skimage
from skimage import data, color, transform
from skimage.feature import hog
import matplotlib
from matplotlib import cm

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'skimage')
os.makedirs(OUT, exist_ok=True)

def write_png(path, img):
    """8-bit grey (H, W) or RGB (H, W, 3) PNG, filter 0 on every row: no imaging library needed."""
    img = np.ascontiguousarray(img, dtype=np.uint8)
    h, w = img.shape[:2]
    ctype = 0 if img.ndim == 2 else 2
    raw = b''.join(b'\x00' + img[y].tobytes() for y in range(h))
    def chunk(tag, body):
        return struct.pack('>I', len(body)) + tag + body + struct.pack('>I', zlib.crc32(tag + body) & 0xffffffff)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, ctype, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))

def flat(a):
    # 10 significant digits: far below the tests' tolerances, a third of the file size.
    return [float('%.10g' % v) for v in np.asarray(a, dtype=np.float64).ravel()]

# Images: crops of CC0 photos from skimage.data, taken every 2nd pixel.
camera = data.camera()[100:356:2, 180:308:2]                  # 128 x 64: a 64x128 HOG window
astro_grey = np.round(color.rgb2gray(data.astronaut())[40:206:2, 150:272:2] * 255).astype(np.uint8)  # 83 x 61
astro_rgb = data.astronaut()[20:100:2, 180:276:2]              # 40 x 48 x 3
write_png(os.path.join(OUT, 'camera-64x128.png'), camera)
write_png(os.path.join(OUT, 'astronaut-grey-61x83.png'), astro_grey)
write_png(os.path.join(OUT, 'astronaut-rgb-48x40.png'), astro_rgb)

# The docs' photo (docs/understanding.md): the whole camera image at half size.
DOCS = os.path.join(os.path.dirname(__file__), '..', 'docs', 'images')
os.makedirs(DOCS, exist_ok=True)
write_png(os.path.join(DOCS, 'camera-256.png'), data.camera()[::2, ::2])

ref = {'versions': {'skimage': skimage.__version__, 'scipy': scipy.__version__, 'matplotlib': matplotlib.__version__}}

# Resize: skimage.transform.resize(order=1, mode='reflect', anti_aliasing=True) on float images.
src = camera[10:50, 5:35].astype(np.float64) / 255          # 40 x 30
ref['resize'] = {'input': {'shape': list(src.shape), 'data': flat(src)}, 'cases': []}
for shape in [(13, 17), (55, 47), (20, 45), (40, 30), (7, 3)]:
    out = transform.resize(src, shape, order=1, mode='reflect', anti_aliasing=True)
    ref['resize']['cases'].append({'shape': list(shape), 'data': flat(out)})

# Filters: correlation (what conv2d computes) with zero padding ('constant', cval 0), same size.
img = camera[60:72, 20:30].astype(np.float64) / 255          # 12 x 10
filt = {'input': {'shape': list(img.shape), 'data': flat(img)}}
z = dict(mode='constant', cval=0.0)
filt['sobelX'] = flat(ndi.sobel(img, axis=1, **z))            # d/dx: the decks' vertical mask
filt['sobelY'] = flat(ndi.sobel(img, axis=0, **z))
filt['prewittX'] = flat(ndi.prewitt(img, axis=1, **z))
filt['prewittY'] = flat(ndi.prewitt(img, axis=0, **z))
filt['gradientMagnitude'] = flat(np.hypot(ndi.sobel(img, axis=1, **z), ndi.sobel(img, axis=0, **z)))
filt['laplacian4'] = flat(ndi.laplace(img, **z))
filt['blur'] = flat(ndi.uniform_filter(img, size=3, **z))
for s in [0.8, 1.5]:
    filt[f'gaussian{s}'] = flat(ndi.gaussian_filter(img, s, truncate=3.0, **z))
# A kernel with no symmetry, to tell correlation from convolution.
k = np.array([[1., 2., 0.], [-1., 3., 5.], [0., -2., 4.]])
filt['asym'] = {'kernel': flat(k), 'correlate': flat(ndi.correlate(img, k, **z)), 'convolve': flat(ndi.convolve(img, k, **z))}
ref['filters'] = filt

# HOG, feature_vector=True, on exactly the values readImage gives (float32 k/255), in float64.
cam = (camera / 255).astype(np.float32).astype(np.float64)
ast = (astro_grey / 255).astype(np.float32).astype(np.float64)
ref['hog'] = []
for name, im, o, ppc, cpb in [('camera-64x128.png', cam, 9, (8, 8), (2, 2)),
                              ('astronaut-grey-61x83.png', ast, 6, (7, 5), (3, 2)),
                              ('astronaut-grey-61x83.png', ast, 12, (10, 10), (1, 1))]:
    for norm in ['L1', 'L1-sqrt', 'L2', 'L2-Hys']:
        v = hog(im, orientations=o, pixels_per_cell=ppc, cells_per_block=cpb, block_norm=norm, feature_vector=True)
        ref['hog'].append({'image': name, 'orientations': o, 'pixelsPerCell': list(ppc), 'cellsPerBlock': list(cpb),
                           'blockNorm': norm, 'values': flat(v)})

_, hog_image = hog(ast, orientations=12, pixels_per_cell=(10, 10), cells_per_block=(1, 1), visualize=True)
ref['hogImage'] = {'image': 'astronaut-grey-61x83.png', 'orientations': 12, 'pixelsPerCell': [10, 10],
                   'shape': list(hog_image.shape), 'data': flat(hog_image)}

# Colour maps: matplotlib's 256-entry tables.
ref['colormaps'] = {name: flat(cm.get_cmap(name)(np.linspace(0, 1, 256))[:, :3]) for name in ['viridis', 'RdBu_r']}

with open(os.path.join(OUT, 'reference.json'), 'w') as f:
    json.dump(ref, f)
print('wrote', OUT)
