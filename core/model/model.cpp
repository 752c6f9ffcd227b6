#include "model/model.h"

#include <algorithm>

#include "errors.h"

namespace gptlab {

std::size_t ParamTensor::size() const {
  std::size_t n = 1;
  for (int d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

template <typename T>
void Model<T>::zero_grad() {
  auto g = grads();
  std::fill(g.begin(), g.end(), T(0));
}

template <typename T>
const ParamTensor& Model<T>::tensor(const std::string& name) const {
  for (const ParamTensor& t : tensors())
    if (t.name == name) return t;
  throw ShapeError("The model has no parameter named " + name + ".");
}

template class Model<float>;
template class Model<double>;

}  // namespace gptlab
