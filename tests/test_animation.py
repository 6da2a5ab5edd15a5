"""Animations in Python: the timeline (keyframes, interpolation, easings), root tracking and colours
that stay put, ``Animation`` and its writers (frames, GIF/WebP/APNG, MP4/WebM decoded again)."""

from __future__ import annotations

import itertools
import json
import math
import os

import numpy as np
import pytest
from PIL import Image

import nbcli
from nbcli.animation import Animation
from nbcli.errors import ParameterError
from nbcli.poly.track import all_roots, assign, track
from nbcli.scene import Scene, Viewport
from nbcli.style import Style
from nbcli.timeline import EASINGS, Keyframe, Timeline, parse_fps

av = pytest.importorskip("av")  # the test extra installs it; CI encodes and decodes for real


def _z6(size=(48, 32), **kw):
    return Scene.create(coefs=[1, 0, 0, 0, 0, 0, 1], size=size, **kw)


def _zoom(size=(48, 32), frames=8, easing="linear", target=0.5 + 0.3j, width=0.01):
    start = _z6(size, center=0, span=4.0)
    w, h = size
    end = start.with_options(viewport=Viewport.centered(target, width, width * h / w))
    return Animation.between(start, end, frames=frames, fps=8, easing=easing)


# ---- the timeline ---------------------------------------------------------------------------


def test_frames_span_the_animation_and_end_on_the_keyframes():
    a = _zoom(frames=9)
    assert len(a) == 9
    assert a.timeline.time_of(0) == 0 and a.timeline.time_of(8) == pytest.approx(a.duration)
    first, last = a.frame(0)[0], a.frame(8)[0]
    keys = a.timeline.keyframes
    assert first.viewport == keys[0].scene.viewport
    assert last.viewport == keys[1].scene.viewport
    with pytest.raises(IndexError):
        a.frame(9)


def test_zoom_is_geometric_and_keeps_its_fixed_point_on_screen():
    a = _zoom(frames=11, easing="linear")
    vps = [a.frame(k)[0].viewport for k in range(len(a))]
    ratios = [b.width / v.width for v, b in itertools.pairwise(vps)]
    assert max(ratios) == pytest.approx(min(ratios), rel=1e-9)  # constant zoom speed to the eye
    # the point the zoom scales about stays at the same place on the screen
    v0, v1 = vps[0], vps[-1]
    q = v1.width / v0.width
    fixed = (v1.center - q * v0.center) / (1 - q)
    places = [((fixed - v.center) / v.width) for v in vps]
    assert np.allclose(places, places[0], atol=1e-9)
    assert abs(places[0].real) < 0.5 and abs(places[0].imag) < 0.5  # and it is on the screen


def test_a_pan_without_a_zoom_moves_in_a_straight_line():
    start = _z6(center=0, span=2.0)
    end = start.with_options(viewport=Viewport.centered(1 + 1j, 2.0, start.viewport.height))
    a = Animation.between(start, end, frames=5, fps=5, easing="linear")
    centres = [a.frame(k)[0].viewport.center for k in range(5)]
    assert np.allclose(centres, [0, 0.25 + 0.25j, 0.5 + 0.5j, 0.75 + 0.75j, 1 + 1j])


@pytest.mark.parametrize("name", sorted(EASINGS))
def test_easings_start_at_0_end_at_1_and_never_go_back(name):
    f = EASINGS[name]
    s = np.linspace(0, 1, 101)
    v = np.array([f(x) for x in s])
    assert v[0] == 0 and v[-1] == 1
    assert np.all(np.diff(v) >= 0)


def test_smooth_easing_starts_and_stops_gently():
    a = _zoom(frames=21, easing="smooth")
    logs = [math.log(a.frame(k)[0].viewport.width) for k in range(21)]
    steps = np.abs(np.diff(logs))
    assert steps[0] < steps[10] / 5 and steps[-1] < steps[10] / 5


def test_discrete_parameters_change_at_their_keyframe():
    s0 = _z6(center=0, span=4.0, itmax=60)  # itmax given: the default follows the view
    s1 = s0.with_options(itmax=100, method="halley")
    a = Animation(
        [Keyframe(0, s0, Style()), Keyframe(1.25, s1, Style(palette="okabe-ito"), easing="linear")],
        fps=4,
        frames=5,
    )
    methods = [a.frame(k)[0].method for k in range(5)]
    palettes = [a.frame(k)[1].palette for k in range(5)]
    assert methods == ["newton"] * 4 + ["halley"]
    assert palettes == ["default"] * 4 + ["okabe-ito"]
    assert [a.frame(k)[0].itmax for k in range(5)] == [60, 70, 80, 90, 100]


def test_a_path_through_several_keyframes_has_no_corner():
    s = [_z6(center=0, span=4.0).with_options(relax=r, method="relaxed") for r in (1, 1.5 + 0.5j, 1 + 1j)]
    a = Animation([Keyframe(t, sc, easing="linear") for t, sc in zip((0, 1, 2), s, strict=True)], fps=50)
    n = len(a)
    relax = np.array([a.frame(k)[0].relax for k in range(n)])
    mid = next(k for k in range(n) if a.timeline.time_of(k) >= 1.0)
    before, after = relax[mid] - relax[mid - 1], relax[mid + 1] - relax[mid]
    assert abs(before - after) < 0.1 * abs(before)  # the velocity does not jump at the middle keyframe
    assert relax[mid] == pytest.approx(1.5 + 0.5j, abs=0.02)


def test_timeline_refuses_what_it_cannot_animate():
    s = _z6()
    with pytest.raises(ParameterError, match="increase"):
        Timeline([Keyframe(1, s), Keyframe(1, s)])
    with pytest.raises(ParameterError, match="same size"):
        Timeline([Keyframe(0, s), Keyframe(1, s.with_options(width=64))])
    with pytest.raises(ParameterError, match="no length"):
        Timeline([Keyframe(0, s)])
    with pytest.raises(ParameterError, match="easing"):
        Keyframe(1, s, easing="bouncy")
    with pytest.raises(ParameterError, match="seconds"):
        Keyframe(-1, s)
    with pytest.raises(ParameterError, match="not both"):
        Timeline([Keyframe(0, s), Keyframe(1, s)], frames=3, duration=1)
    for bad in ("fast", 0, -3, True, "1/0"):
        with pytest.raises(ParameterError, match="frames per second"):
            parse_fps(bad)
    assert parse_fps("29.97") == parse_fps("30000/1001")


# ---- root tracking: colours stay put ---------------------------------------------------------

# Two roots turning across the positive real axis: the one at 330 degrees goes to 30, the one at
# 150 to 210, so the first by angle (which numbers a still's colours) becomes the second.
TURN0, TURN1 = np.exp(-1j * np.pi / 6), np.exp(1j * np.pi / 6)


def _by_angle(z):
    return np.argsort(np.mod(np.angle(z), 2 * np.pi)).tolist()


def _colour_at(r, z):
    row, col = r.scene.viewport.pixel_of(complex(z), r.scene.width, r.scene.height)
    return tuple(r.rgb[round(row), round(col)])


def _reference_track(path, start, steps=4000):
    """Follow each root of ``start`` along ``path`` in many tiny steps (nearest neighbour)."""
    pos = np.array(start, complex)
    for t in np.linspace(0, 1, steps)[1:]:
        new = path(t)
        pos = np.array([new[np.argmin(np.abs(new - p))] for p in pos])
    return pos


@pytest.mark.parametrize("by", ["roots", "coefs"])
def test_a_morph_where_two_roots_swap_angular_order_keeps_both_colours(by):
    style = Style(shading="flat")
    view = {"size": (64, 64), "center": 0, "span": 3}
    starts = [TURN0, -TURN0]
    if by == "roots":
        s0, s1 = Scene.create(roots=starts, **view), Scene.create(roots=[TURN1, -TURN1], **view)
        ends = [TURN1, -TURN1]
    else:
        p0, p1 = np.array([1, 0, -(TURN0**2)]), np.array([1, 0, -(TURN1**2)])
        s0, s1 = Scene.create(coefs=p0, **view), Scene.create(coefs=p1, **view)
        ends = _reference_track(lambda t: np.roots((1 - t) * p0 + t * p1), starts)
    assert np.allclose(sorted(ends, key=np.angle), sorted([TURN1, -TURN1], key=np.angle))
    assert _by_angle(starts) == [1, 0] and _by_angle(ends) == [0, 1]  # the angular order swaps
    a = Animation.between(s0, s1, style, frames=10, fps=10, easing="linear")
    first, last = a.render(0), a.render(9)
    colours = [_colour_at(first, z) for z in starts]
    assert colours[0] != colours[1]
    assert [_colour_at(last, z) for z in ends] == colours  # each root kept its colour
    for k in range(1, 9):  # and so did every frame in between, where the roots are
        r = a.render(k)
        t = a.timeline.time_of(k) / a.duration
        if by == "roots":
            here = [(1 - t) * z0 + t * z1 for z0, z1 in zip(starts, ends, strict=True)]
        else:
            here = _reference_track(lambda u, t=t: np.roots((1 - u * t) * p0 + u * t * p1), starts, steps=500)
        assert [_colour_at(r, z) for z in here] == colours, k
    # a still of the last picture numbers the roots by angle: its two colours are swapped
    still = nbcli.render(s1, style)
    assert [_colour_at(still, z) for z in ends] == colours[::-1]
    # the colour order is recorded in the frame's parameters, so the frame renders again the same
    _scene, fstyle = a.frame(9)
    assert fstyle.color_index is not None
    assert Style.from_dict(json.loads(json.dumps(fstyle.to_dict()))) == fstyle


def test_colours_survive_roots_that_collide_separate_and_come_from_infinity():
    size = {"size": (40, 40), "center": 0, "span": 4}
    collide = Animation.between(
        Scene.create(coefs=[1, 0, -1], **size), Scene.create(coefs=[1, 0, 1], **size), frames=9, fps=9
    )
    for k in range(9):  # the double root at the middle frame gets one of the two colours
        scene, style = collide.frame(k)
        n = len(scene.canonical_roots())
        index, ncolors = style.colors_for(n)
        assert ncolors == 2 and (index is None or sorted(set(index)) == sorted(index))
    grow = Animation.between(
        Scene.create(coefs=[1, 0, 0, -1], **size),
        Scene.create(coefs=[1, 0, 0, 0, -1], **size),
        frames=6,
        fps=6,
    )
    first_scene, first_style = grow.frame(0)
    colours0 = dict(
        zip(np.round(first_scene.canonical_roots(), 6), first_style.colors_for(3)[0] or range(3), strict=True)
    )
    last_scene, last_style = grow.frame(5)
    index = last_style.colors_for(4)[0]
    assert index is not None and last_style.ncolors == 4
    assert sorted(index) == [0, 1, 2, 3]  # the root that came in from infinity took the free colour
    assert index[list(np.round(last_scene.canonical_roots(), 6)).index(1)] == colours0[1]


def test_track_pairs_nearest_roots_and_refines_doubtful_steps():
    calls = []

    def path(t):
        calls.append(t)
        turn = np.exp(2j * np.pi / 3 * t)  # two roots turning a third of a circle
        return np.array([-turn, turn]) if t > 0 else np.array([turn, -turn])

    tracked = track(path, [0.0, 1.0], np.array([0, 1]))
    (_r0, ids0), (_r1, ids1) = tracked
    assert ids0.tolist() == [0, 1]
    # the root that started at 1 ends at exp(2i pi/3), nearer where the other one started; it is
    # listed second at t=1 and keeps identity 0
    assert ids1.tolist() == [1, 0]
    assert len(calls) > 3  # one step was too far to be sure: it was subdivided
    assert assign(np.array([0, 1, 5]), np.array([4.9, 0.1])).tolist() == [1, -1, 0]
    assert all_roots(np.array([1, 0, -4])).size == 2


def test_a_zoom_leaves_the_colours_of_a_still():
    a = _zoom(frames=3)
    for k in range(3):
        scene, style = a.frame(k)
        assert style.color_index is None and style.ncolors is None
        assert np.array_equal(a.render(k).rgb, nbcli.render(scene, Style()).rgb)


# ---- writing --------------------------------------------------------------------------------


def test_frames_folder_holds_normal_pngs_and_resumes(tmp_path):
    a = _zoom(frames=6)
    out = tmp_path / "frames"
    info = a.save(str(out) + "/")
    assert info["rendered"] == 6 and info["skipped"] == 0
    names = sorted(os.listdir(out))
    assert names == [f"{k:05d}.png" for k in range(6)]
    for k in (0, 3, 5):
        params = nbcli.params.read_parameters(out / names[k])
        assert Scene.from_dict(params) == a.frame(k)[0]
        with Image.open(out / names[k]) as im:
            assert np.array_equal(np.asarray(im.convert("RGB")), a.render(k).rgb)
    mtimes = {n: os.stat(out / n).st_mtime_ns for n in names}
    os.remove(out / names[2])
    (out / names[4]).write_bytes(b"not a png")
    info = a.save(out / "%05d.png")
    assert info["rendered"] == 2 and info["skipped"] == 4
    for n in names:
        changed = os.stat(out / n).st_mtime_ns != mtimes[n]
        assert changed == (n in (names[2], names[4])), n
    # another zoom from the same start into the same folder: only its first frame is the same
    info = _zoom(frames=6, target=0.2 + 0.2j).save(out)
    assert info["rendered"] == 5 and info["skipped"] == 1


def test_video_is_encoded_and_decodes_to_the_frames(tmp_path):
    a = _zoom(size=(64, 48), frames=7)
    expected = [r.rgb for r in a]
    for name, chroma, pix in (
        ("z.mp4", "444", "yuv444p"),
        ("z420.mp4", "420", "yuv420p"),
        ("z.webm", "420", None),
    ):
        info = a.save(tmp_path / name, chroma=chroma)
        assert info["rendered"] == 7 and info["encode_seconds"] > 0
        with av.open(str(tmp_path / name)) as f:
            stream = f.streams.video[0]
            assert (stream.width, stream.height) == (64, 48)
            if pix is not None:
                assert stream.codec_context.pix_fmt == pix
            frames = [fr.to_ndarray(format="rgb24") for fr in f.decode(stream)]
        assert len(frames) == 7
        for k, got in enumerate(frames):  # each decoded frame is nearest the frame it should be
            score = [_psnr(got, want) for want in expected]
            assert score[k] > 20 and score[k] == max(score), (name, k, score)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["z.mp4", "z.webm", "z420.mp4"]


def _psnr(a, b):
    err = np.mean((a.astype(float) - b) ** 2)
    return 10 * np.log10(255**2 / max(err, 1e-9))


@pytest.mark.parametrize("ext", ["gif", "webp", "apng"])
def test_animated_images(tmp_path, ext):
    a = _zoom(size=(40, 30), frames=5)
    path = tmp_path / f"z.{ext}"
    a.save(path, lossless=ext == "webp")
    with Image.open(path) as im:
        assert im.n_frames == 5 and im.size == (40, 30)
        assert im.info.get("loop") == 0
        total = 0
        for k in range(5):
            im.seek(k)
            im.load()  # WebP reads a frame's duration with its pixels
            total += im.info["duration"]
            if ext != "gif":  # GIF has 256 colours; WebP here is lossless and APNG is PNG
                assert np.array_equal(np.asarray(im.convert("RGB")), a.render(k).rgb)
        assert total == pytest.approx(1000 * 5 / 8, abs=10)


def test_keep_frames_lets_a_video_resume(tmp_path):
    a = _zoom(size=(32, 24), frames=5)
    keep = tmp_path / "keep"
    a.save(tmp_path / "a.mp4", keep_frames=keep)
    assert len(os.listdir(keep)) == 5
    info = a.save(tmp_path / "b.mp4", keep_frames=keep)
    assert info["skipped"] == 5 and info["rendered"] == 0
    with av.open(str(tmp_path / "b.mp4")) as f:
        assert sum(1 for _ in f.decode(video=0)) == 5


def test_save_refuses_bad_outputs_before_writing(tmp_path):
    a = _zoom(frames=3)
    with pytest.raises(ParameterError, match="animation is written to"):
        a.save(tmp_path / "one.png")
    with pytest.raises(ParameterError, match="even width"):
        _zoom(size=(33, 24), frames=2).save(tmp_path / "odd.mp4", chroma="420")
    with pytest.raises(ParameterError, match="8 bits"):
        Animation.between(_z6(), _z6(), Style(depth=16), frames=2).save(tmp_path / "a.gif")
    with pytest.raises(ParameterError, match="one frame number"):
        a.save(tmp_path / "f%d_%d.png")
    with pytest.raises(MemoryError, match="animated image"):
        a.save(tmp_path / "big.gif", max_memory=1000)
    assert list(tmp_path.iterdir()) == []


def test_missing_pyav_is_one_clear_error(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "av", None)  # import av now raises ImportError
    with pytest.raises(nbcli.errors.MissingExtra, match=r"nb-render\[video\]"):
        _zoom(frames=2).save(tmp_path / "z.mp4")
    assert list(tmp_path.iterdir()) == []


def test_a_failing_encoder_stops_the_render_and_leaves_no_file(tmp_path, monkeypatch):
    real = av.VideoFrame.from_ndarray
    calls = []

    def disk_full_at_the_third_frame(*args, **kw):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(*args, **kw)

    class VideoFrame:  # av.VideoFrame, whose from_ndarray fails: PyAV 19's types are immutable
        from_ndarray = staticmethod(disk_full_at_the_third_frame)

    monkeypatch.setattr(av, "VideoFrame", VideoFrame)
    a = _zoom(frames=40)
    with pytest.raises(OSError, match="No space left"):
        a.save(tmp_path / "z.mp4")
    assert len(calls) == 3  # the encoder stopped at once
    assert list(tmp_path.iterdir()) == []


def test_frames_in_another_image_format_resume_and_render_again(tmp_path):
    a = _zoom(size=(40, 30), frames=4)
    info = a.save(tmp_path / "f" / "%03d.jpg", quality=80)
    assert info["rendered"] == 4
    assert sorted(os.listdir(tmp_path / "f")) == ["000.jpg", "001.jpg", "002.jpg", "003.jpg"]
    with Image.open(tmp_path / "f" / "002.jpg") as im:
        assert im.format == "JPEG" and im.size == (40, 30)
    assert a.save(tmp_path / "f" / "%03d.jpg", quality=80)["skipped"] == 4  # parameters read back from JPEG
    params = json.loads(nbcli.images.read_record(tmp_path / "f" / "002.jpg", nbcli.images.FORMATS["jpeg"]))
    assert Scene.from_dict(params) == a.frame(2)[0]


def test_quality_settings_where_the_format_has_them(tmp_path):
    a = _zoom(size=(64, 48), frames=4)
    a.save(tmp_path / "hi.webp", quality=95)
    a.save(tmp_path / "lo.webp", quality=20)
    assert (tmp_path / "lo.webp").stat().st_size < (tmp_path / "hi.webp").stat().st_size
    for name, kw in (("a.gif", {"quality": 50}), ("a.apng", {"lossless": True}), ("a.mp4", {"quality": 50})):
        with pytest.raises(ParameterError, match="quality"):
            a.save(tmp_path / name, **kw)
    with pytest.raises(ParameterError, match="quality must be"):
        a.save(tmp_path / "x.webp", quality=101)
    assert sorted(os.listdir(tmp_path)) == ["hi.webp", "lo.webp"]
