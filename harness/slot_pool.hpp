// Small numbers handed out to cells running at the same time and taken back when they end: a
// hostUsers:false cell's slot picks its 65536-id range, so two cells never share host ids.
#pragma once

#include <mutex>
#include <vector>

namespace procmatrix::harness {

class SlotPool {
 public:
  class Lease {
   public:
    Lease(SlotPool& pool, unsigned index) : pool_(&pool), index_(index) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), index_(other.index_) {
      other.pool_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (pool_) pool_->release(index_);
    }
    unsigned index() const { return index_; }

   private:
    SlotPool* pool_;
    unsigned index_;
  };

  // The lowest free slot.
  Lease acquire() {
    std::lock_guard lock(mutex_);
    unsigned i = 0;
    while (i < used_.size() && used_[i]) ++i;
    if (i == used_.size()) used_.push_back(false);
    used_[i] = true;
    return Lease(*this, i);
  }

 private:
  void release(unsigned i) {
    std::lock_guard lock(mutex_);
    used_[i] = false;
  }

  std::mutex mutex_;
  std::vector<bool> used_;
};

}  // namespace procmatrix::harness
