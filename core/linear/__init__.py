"""The linear-model chapter (002–004): exhaustive search, gradient descent, logistic regression.

`data` holds the course's toy sets, `regression` the MSE, its search and its gradient descent
(batch, stochastic, mini-batch), `logistic` the sigmoid, cross-entropy and its training.
"""
