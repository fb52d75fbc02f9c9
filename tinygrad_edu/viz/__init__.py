"""Pictures of autograd graphs (Graphviz) and of training (matplotlib).

    from tinygrad_edu.viz import draw_graph, explain, explain_backward, plot_history
    draw_graph(loss, params=model).save("graph.svg")
    explain_backward(loss, params=model).save("backward.html")   # before loss.backward()
    print(explain("Tanh"))                                        # a derivation card

graphviz and matplotlib are imported inside the functions that use them, so importing this
package needs neither.
"""

from ._render import GraphvizNotFoundError
from .explain import explain
from .graph import draw_graph
from .plots import (
    lr_find,
    plot_activation_stats,
    plot_activations,
    plot_confusion_matrix,
    plot_decision_boundary,
    plot_grad_flow,
    plot_history,
    plot_lr_find,
    plot_lr_schedule,
    plot_weights,
)
from .walkthrough import Walkthrough, explain_backward

__all__ = [
    "draw_graph",
    "GraphvizNotFoundError",
    "explain",
    "explain_backward",
    "Walkthrough",
    "plot_history",
    "plot_activations",
    "plot_weights",
    "plot_decision_boundary",
    "plot_grad_flow",
    "plot_activation_stats",
    "plot_lr_schedule",
    "plot_confusion_matrix",
    "lr_find",
    "plot_lr_find",
]
