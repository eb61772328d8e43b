"""Safe routes: an OSM street graph with safety evidence per edge, and walking
routes over it — shortest, balanced and safest, each with its explanation.

- ``osm``: which OSM ways a pedestrian may use, read with pyosmium.
- ``graph``: splitting ways into edges, the compact arrays kept in
  ``instance/streets/graph-<version>.npz``; ``derived``: what each worker
  computes from them (the CSR structure, points along the edges, a KD-tree).
- ``safety``: the safety formula, its weights and the evidence per edge;
  ``sources``: the facilities, reports and safe paths it is computed from.
- ``search``: snapping, bounded Dijkstra searches, the three alternatives.
- ``service``: the per-process router that follows the data versions, and
  the route answer the API serves; ``importing``: ``ansim import streets``
  and ``ansim import safe-paths``; ``demo``: the demo district's streets.
"""
