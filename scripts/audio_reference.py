#!/usr/bin/env python3
"""Reference values for Receptive's audio front end (src/audio), from NumPy/SciPy.

Writes test/fixtures/audio-reference.json. Run with the system Python that has
NumPy and SciPy:  /usr/bin/python3 scripts/audio_reference.py

librosa and torchaudio are not available here, so the mel filter banks are
written out below from the published formulas (HTK Book; Slaney's Auditory
Toolbox, as librosa.filters.mel implements it). The STFT is numpy.fft.rfft over
reflect-padded frames, cross-checked against torch.stft when PyTorch is present;
the MFCC's DCT is scipy.fft.dct(type=2, norm='ortho'); WAV files are packed with
Python's struct module and scipy.io.wavfile.
"""
import base64, io, json, struct, sys
import numpy as np
import scipy.fft
import scipy.io.wavfile
import scipy.signal

rng = np.random.default_rng(17)
SR, N_FFT, WIN, HOP, N_MELS, N_MFCC = 16000, 512, 400, 160, 40, 13

t = np.arange(3200) / SR
sig = (0.5 * np.sin(2 * np.pi * 440 * t) + 0.3 * scipy.signal.chirp(t, 200, t[-1], 6000)
       + 0.05 * rng.standard_normal(t.size)).astype(np.float32)

def stft_power(x):
    w = scipy.signal.get_window('hann', WIN, fftbins=True)  # periodic
    win = np.zeros(N_FFT); off = (N_FFT - WIN) // 2; win[off:off + WIN] = w
    xp = np.pad(x.astype(np.float64), N_FFT // 2, mode='reflect')
    n = 1 + (len(xp) - N_FFT) // HOP
    frames = np.stack([xp[i * HOP:i * HOP + N_FFT] * win for i in range(n)], axis=1)
    return np.abs(np.fft.rfft(frames, axis=0)) ** 2

def hz_to_mel(f, htk):
    f = np.asarray(f, dtype=np.float64)
    if htk: return 2595.0 * np.log10(1.0 + f / 700.0)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, f / f_sp)

def mel_to_hz(m, htk):
    m = np.asarray(m, dtype=np.float64)
    if htk: return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)

def mel_fb(htk, slaney_norm, fmin=0.0, fmax=SR / 2):
    fft_freqs = np.fft.rfftfreq(N_FFT, 1.0 / SR)
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin, htk), hz_to_mel(fmax, htk), N_MELS + 2), htk)
    fdiff = np.diff(edges)
    ramps = edges[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    fb = np.maximum(0, np.minimum(lower, upper))
    if slaney_norm: fb *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return fb

def delta_htk(c, width=2):
    p = np.pad(c, ((0, 0), (width, width)), mode='edge')
    T = c.shape[1]
    num = sum(n * (p[:, width + n:width + n + T] - p[:, width - n:width - n + T]) for n in range(1, width + 1))
    return num / (2 * sum(n * n for n in range(1, width + 1)))

power = stft_power(sig)
try:
    import torch
    tw = torch.stft(torch.tensor(sig, dtype=torch.float64), N_FFT, HOP, WIN, torch.hann_window(WIN, dtype=torch.float64),
                    center=True, pad_mode='reflect', return_complex=True).abs() ** 2
    assert np.allclose(tw.numpy(), power, rtol=1e-9, atol=1e-9), 'numpy STFT disagrees with torch.stft'
    print('STFT agrees with torch.stft', file=sys.stderr)
except ImportError:
    pass

fb_htk, fb_slaney = mel_fb(True, False), mel_fb(False, True)
mel_p = fb_htk @ power
logmel = 10 * np.log10(np.maximum(mel_p, 1e-10))
mfcc = scipy.fft.dct(logmel, type=2, norm='ortho', axis=0)[:N_MFCC]
d1 = delta_htk(logmel); d2 = delta_htk(d1)

frame = sig[:N_FFT].astype(np.float64)
odd = sig[:400].astype(np.float64)

def wav_bytes(bits, ints, channels):
    """Canonical PCM WAV from integer samples, packed with struct (8-bit is unsigned)."""
    data = b''.join(struct.pack('<B', v + 128) if bits == 8 else struct.pack('<h', v) if bits == 16 else
                    struct.pack('<i', v)[:3] if bits == 24 else struct.pack('<i', v) for v in ints.ravel())
    bps = bits // 8
    hdr = b'RIFF' + struct.pack('<I', 36 + len(data)) + b'WAVEfmt ' + struct.pack('<IHHIIHH', 16, 1, channels, 8000, 8000 * channels * bps, channels * bps, bits)
    return hdr + b'data' + struct.pack('<I', len(data)) + data

wavs = []
for bits in (8, 16, 24, 32):
    hi = 2 ** (bits - 1)
    ints = rng.integers(-hi, hi, size=(20, 2))
    ints[0] = [-hi, hi - 1]
    wavs.append({'name': f'pcm{bits}-stereo', 'b64': base64.b64encode(wav_bytes(bits, ints, 2)).decode(),
                 'channels': [(ints[:, c] / hi).tolist() for c in range(2)], 'sampleRate': 8000})
for dt in (np.float32, np.float64):
    x = rng.uniform(-1, 1, size=17).astype(dt)
    buf = io.BytesIO(); scipy.io.wavfile.write(buf, 22050, x)
    wavs.append({'name': f'float{8 * np.dtype(dt).itemsize}-mono', 'b64': base64.b64encode(buf.getvalue()).decode(),
                 'channels': [x.astype(np.float32).astype(np.float64).tolist()], 'sampleRate': 22050})

r = lambda a: np.round(np.asarray(a, dtype=np.float64), 10).tolist()
out = {
    'generator': 'scripts/audio_reference.py', 'numpy': np.__version__, 'scipy': scipy.__version__,
    'config': {'sampleRate': SR, 'nFft': N_FFT, 'winLength': WIN, 'hopLength': HOP, 'nMels': N_MELS, 'nMfcc': N_MFCC},
    'signal': sig.astype(np.float64).tolist(),
    'rfft512': {'re': r(np.fft.rfft(frame).real), 'im': r(np.fft.rfft(frame).imag)},
    'rfft400': {'re': r(scipy.fft.rfft(odd).real), 'im': r(scipy.fft.rfft(odd).imag)},
    'power': r(power), 'melHtk': r(fb_htk), 'melSlaney': r(fb_slaney),
    'melSlaney300to6000': r(mel_fb(False, True, 300.0, 6000.0)),
    'logmel': r(logmel), 'mfcc': r(mfcc), 'delta': r(d1), 'deltaDelta': r(d2),
    'wavs': wavs,
}
with open('test/fixtures/audio-reference.json', 'w') as f:
    json.dump(out, f, separators=(',', ':'))
print('wrote test/fixtures/audio-reference.json', file=sys.stderr)
