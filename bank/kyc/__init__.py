"""KYC building blocks of the preapproved-credit journey: uploads, faces and liveness.

``contracts`` and ``reasons`` are light (standard library only) so workflows can import the
activity names and dataclasses inside the sandbox. ``documents``, ``faces`` and ``liveness``
pull NumPy, OpenCV and Pillow; ``face_recognition`` (dlib and its models) is imported only
when a face is actually looked for. See ``docs/kyc.md``.
"""
