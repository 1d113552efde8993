import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "05-batchnorm/layernorm_forward"




@buggy(ID, "[7] eps outside the square root")
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    x_hat = (x - mu) / (np.sqrt(var) + eps)
    return gamma * x_hat + beta, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}


@buggy(ID, "[7] unbiased variance (ddof=1) per row")
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, ddof=1, keepdims=True)
    x_hat = (x - mu) / np.sqrt(var + eps)
    return gamma * x_hat + beta, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}






@buggy(ID, "[9] cache mu and var of shape (N,), not (N, 1)")
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    mu = x.mean(axis=1)
    var = x.var(axis=1)
    x_hat = (x - mu[:, None]) / np.sqrt(var[:, None] + eps)
    return gamma * x_hat + beta, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}


@buggy(ID, "[6] transposes to reuse batch norm, then gamma/beta applied in the transposed frame (D, N)")
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    xt = x.T
    mu = xt.mean(axis=0)
    var = xt.var(axis=0)
    xh_t = (xt - mu) / np.sqrt(var + eps)
    out = (gamma[:, None] * xh_t + beta[:, None]).T if gamma.shape[0] == xt.shape[0] else (gamma * xh_t + beta).T
    out = (xh_t * gamma.reshape(-1, 1)[: xh_t.shape[0]] + beta.reshape(-1, 1)[: xh_t.shape[0]]).T
    x_hat = xh_t.T
    return out, {"x": x, "x_hat": x_hat, "mu": mu[:, None], "var": var[:, None], "eps": eps, "gamma": gamma}


@buggy(ID, "[8] normalises x in place (x -= mu; x /= std)")
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    x0 = x.copy()
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    x -= mu
    x /= np.sqrt(var + eps)
    return gamma * x + beta, {"x": x0, "x_hat": x, "mu": mu, "var": var, "eps": eps, "gamma": gamma}




@correct(ID, "torch.nn.functional.layer_norm for out, x_hat from torch ops")
def layernorm_forward(x, gamma, beta, ln_param):
    import torch.nn.functional as F
    eps = float(ln_param.get("eps", 1e-5))
    xt = torch.from_numpy(np.asarray(x, dtype=np.float64))
    D = xt.shape[1]
    out = F.layer_norm(xt, (D,), torch.from_numpy(np.asarray(gamma, dtype=np.float64)),
                       torch.from_numpy(np.asarray(beta, dtype=np.float64)), eps=eps)
    var, mu = torch.var_mean(xt, dim=1, keepdim=True, unbiased=False)
    xh = (xt - mu) / torch.sqrt(var + eps)
    return out.numpy(), {"x": x, "x_hat": xh.numpy(), "mu": mu.numpy(), "var": var.numpy(), "eps": eps, "gamma": gamma}


@correct(ID, "einsum sums, two-pass")
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    N, D = x.shape
    mu = np.einsum("nd->n", x)[:, None] / D
    c = x - mu
    var = np.einsum("nd,nd->n", c, c)[:, None] / D
    x_hat = c / np.sqrt(var + eps)
    out = np.einsum("nd,d->nd", x_hat, gamma) + beta
    return out, {"x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps, "gamma": gamma}


# added after the first run: the "[6] transposed frame" variant above turned out to be correct as
# written (its last out line is right); this is the bug it was meant to be.
@buggy(ID, "[6,10] transposes to (D, N), then gamma * x_hat_T broadcasts gamma over N (only runs when N == D)")
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    xt = x.T
    mu = xt.mean(axis=0)
    var = xt.var(axis=0)
    xh_t = (xt - mu) / np.sqrt(var + eps)
    out = (gamma * xh_t + beta).T
    return out, {"x": x, "x_hat": xh_t.T, "mu": mu[:, None], "var": var[:, None], "eps": eps, "gamma": gamma}
