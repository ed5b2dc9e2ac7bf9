"""Channels to platforms: signed webhook push and email, behind one interface.

``channel`` defines the interface (a ``Message`` in, an ``Outcome`` out); ``webhook``,
``email`` and ``console`` implement it; ``outbox`` drains the ``deliveries`` table through
the implementation the ``delivery_backend`` setting chooses. The pull API needs none of this.
"""
